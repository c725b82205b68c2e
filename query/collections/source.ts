/**
 * The refresh of one collection source (a JSONL file) into its cache directory
 * `<cache>/collections/<table>/source=<sha256(path)[0:12]>/`, through the same byte-cursor machinery as the
 * built-in datasets. The conversion infers the columns of the lines it reads; when they drift from the cursor's
 * (a new field, a changed type), the source is re-read in full as a new epoch.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { createHash } from "node:crypto";
import { createReadStream, createWriteStream } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { once } from "node:events";
import { readCursor } from "../cursor.ts";
import { ident, literal } from "../dataset.ts";
import type { Db } from "../duckdb.ts";
import { copyToParquet } from "../copy_to_parquet.ts";
import { objectSizeFor } from "../jsonl_select.ts";
import { type RefreshOptions, type RefreshOutcome, refreshSource, type SourceSpec } from "../refresh_source.ts";
import { type CollectionColumn, drifted, Inference } from "./infer.ts";

/** The cache directory of one source of a collection. */
export function sourceDir(cacheDir: string, table: string, sourcePath: string): string {
  const hash = createHash("sha256").update(sourcePath).digest("hex").slice(0, 12);
  return path.join(cacheDir, "collections", table, `source=${hash}`);
}

/** The columns a source's cursor records (none before its first refresh). */
export function cursorColumns(meta: Record<string, unknown> | undefined): CollectionColumn[] {
  return (meta?.columns as CollectionColumn[] | undefined) ?? [];
}

/** A fingerprint of the column names and types (nullability changes need no re-read). */
function fingerprintOf(columns: CollectionColumn[], timestampColumn: string | undefined): string {
  const text = JSON.stringify([timestampColumn ?? null, columns.map((c) => [c.name, c.source_field, c.type])]);
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}

/** The SQL computing one inferred column from the line object `r`. */
function columnSql(c: CollectionColumn): string {
  const p = literal(`$."${c.source_field.replaceAll('"', '\\"')}"`);
  switch (c.type) {
    case "VARCHAR":
      return `json_extract_string("r", ${p})`;
    case "TIMESTAMP":
      return `timezone('UTC', try_cast(json_extract_string("r", ${p}) AS TIMESTAMPTZ))`;
    case "DOUBLE":
    case "BOOLEAN":
      return `try_cast(json_extract("r", ${p}) AS ${c.type})`;
    default:
      return `CASE WHEN json_type("r", ${p}) = 'NULL' THEN NULL ELSE json_extract("r", ${p}) END`;
  }
}

/** Raised inside a conversion when the new lines change the columns; the refresh restarts in full. */
class DriftError extends Error {}

/**
 * Reads `input`'s object lines: feeds them to `inference` and writes `{"l":<line>,"r":<object>}` lines to `output`,
 * so DuckDB gets each row's source line number with it. Blank and malformed lines are left out. Resolves with the
 * longest line written, in bytes: it is what DuckDB must read (a line of invalid UTF-8 grows once decoded, each bad
 * byte written back as a 3-byte U+FFFD, so the source's longest line is not a bound).
 */
async function numberLines(input: string, output: string, firstLine: number, inference: Inference): Promise<number> {
  const out = createWriteStream(output, { mode: 0o600 });
  let n = firstLine - 1;
  let longest = 0;
  for await (const text of createInterface({ input: createReadStream(input), crlfDelay: Infinity })) {
    n++;
    if (text.trim() === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) continue;
    inference.add(value as Record<string, unknown>);
    const line = `{"l":${n},"r":${text}}\n`;
    longest = Math.max(longest, Buffer.byteLength(line));
    if (!out.write(line)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
  return longest;
}

/** The refresh spec of a collection source; `columns` seeds a full re-read after drift. */
function collectionSpec(
  table: string,
  sourcePath: string,
  dir: string,
  timestampColumn: string | undefined,
  seed: { columns: CollectionColumn[]; rows: number },
): SourceSpec {
  const spec: SourceSpec = {
    dir,
    sourcePath,
    sourceId: createHash("sha256").update(`${table}\0${sourcePath}`).digest("hex").slice(0, 16),
    kind: "collection",
    fingerprint: fingerprintOf(seed.columns, timestampColumn),
    meta: { table, columns: seed.columns, timestamp_column: timestampColumn },
    convert: async (db, input, output, { fresh, firstLine }) => {
      const inference = new Inference(timestampColumn);
      const numbered = `${input}.numbered`;
      try {
        const longestLine = await numberLines(input, numbered, firstLine, inference);
        const base = fresh ? [] : seed.columns;
        const columns = inference.columns(base, fresh ? 0 : seed.rows);
        if (!fresh && drifted(base, columns)) throw new DriftError();
        spec.fingerprint = fingerprintOf(columns, timestampColumn);
        spec.meta = { ...spec.meta, columns };
        const select = [
          `${literal(sourcePath)} AS "_ctvs_source_path"`,
          `"l" AS "_ctvs_line_number"`,
          `"r" AS "_ctvs_raw"`,
          ...columns.map((c) => `${columnSql(c)} AS ${ident(c.name)}`),
        ].join(", ");
        const read = `read_json(${literal(numbered)}, format = 'newline_delimited', ` +
          `maximum_object_size = ${objectSizeFor(longestLine)}, columns = {'l': 'INTEGER', 'r': 'JSON'})`;
        return await copyToParquet(db, `SELECT ${select} FROM ${read}`, output);
      } finally {
        await rm(numbered, { force: true });
      }
    },
  };
  return spec;
}

/**
 * Brings one source of collection `table` up to date; a schema drift re-reads the source in full as a new epoch.
 *
 * @param sourcePath The absolute path of the JSONL file (it may be gone: its cache then stays as it is).
 */
export async function refreshCollectionSource(
  db: Db,
  cacheDir: string,
  table: string,
  sourcePath: string,
  timestampColumn: string | undefined,
  options: RefreshOptions = {},
): Promise<RefreshOutcome> {
  const dir = sourceDir(cacheDir, table, sourcePath);
  const previous = await readCursor(path.join(dir, "cursor.json"));
  const seed = { columns: cursorColumns(previous?.meta), rows: previous?.row_count ?? 0 };
  try {
    return await refreshSource(db, collectionSpec(table, sourcePath, dir, timestampColumn, seed), options);
  } catch (err) {
    if (!(err instanceof DriftError)) throw err;
    return await refreshSource(db, collectionSpec(table, sourcePath, dir, timestampColumn, seed), {
      ...options,
      force: true,
    });
  }
}
