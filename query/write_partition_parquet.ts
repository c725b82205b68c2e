/**
 * Writes one (gateway, dataset, date) partition of the recordings as a single zstd Parquet file: the building block
 * of `ctvs export` and of the S3 archive's `data.parquet` per upload key (reference §8.3 columns).
 *
 * Two ways, one conversion: with a `cacheDir` the partition's cache is refreshed first (only new complete lines are
 * read) and the file is written from the cached parts; without one, the JSONL's complete lines are converted
 * straight away. Both convert with the dataset's typed SELECT (`jsonlSelect`, its read buffer sized to the longest line),
 * so a file never depends on the path; both write row groups of bounded size (`copyToParquet`). A dataset with a unique
 * key (the Gas City ones) is written as the query views show it: one row per key, none an earlier day holds.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { stageFile } from "../platform/atomic_write.ts";
import { unlessMissing } from "../platform/fs_error.ts";
import { partitionDir } from "./cache_layout.ts";
import { copyCompleteLines } from "./complete_lines.ts";
import { copyToParquet } from "./copy_to_parquet.ts";
import { type Dataset, ident, literal } from "./dataset.ts";
import { datasetNamed } from "./datasets.ts";
import { type Db, openDb } from "./duckdb.ts";
import { jsonlSelect, objectSizeFor } from "./jsonl_select.ts";
import { type MalformedLine, malformedLines } from "./malformed_lines.ts";
import { refreshPartition } from "./refresh_partition.ts";
import { uniqueRowsSelect } from "./unique_rows.ts";

/** Options of {@linkcode writePartitionParquet}. */
export interface WritePartitionOptions {
  /** Refresh this query cache (e.g. `defaultCacheDir(root)`) and write from it; omitted: read the JSONL directly. */
  cacheDir?: string;
  /**
   * Prepend the `gateway_id` column (the "v2" schema of the S3 archive and the query datasets). Default true;
   * `ctvs export` passes false (the v1 schema, the gateway is in the path).
   */
  gatewayIdColumn?: boolean;
  /** A DuckDB to use (one is opened and closed otherwise). */
  db?: Db;
  /** Bytes and complete lines of JSONL read so far, for progress. */
  onBytes?: (bytes: number, lines: number) => void;
  /** Called once per line that is not a JSON object (skipped). */
  onMalformed?: (sourcePath: string, line: MalformedLine) => void;
}

/** What {@linkcode writePartitionParquet} wrote. */
export interface WrittenPartition {
  /** Rows in the file; 0 means no file was written. */
  rows: number;
  /** Size of the file in bytes (0 when none was written). */
  bytes: number;
}

/** The projection of the Parquet file: no `date` (it is in the path), timestamps as INT64 TIMESTAMP_MILLIS. */
function projection(dataset: Dataset, gatewayIdColumn: boolean): string {
  return dataset.columns
    .filter((c) => c.name !== "date" && (gatewayIdColumn || c.name !== "gateway_id"))
    .map((c) => c.type === "TIMESTAMP" ? `CAST(${ident(c.name)} AS TIMESTAMP_MS) AS ${ident(c.name)}` : ident(c.name))
    .join(", ");
}

function token(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

/**
 * Writes `<root>/<gatewayId>/<signal>/<date>.jsonl` as one zstd Parquet file at `output` (staged under a temporary
 * name, flushed and renamed, so `output` is never half-written; private, 0600, in directories created 0700). A partition with no rows (no source, an empty or all-malformed
 * one) writes nothing and resolves with `{ rows: 0, bytes: 0 }`. A line still being written is left out.
 *
 * @param root The recording root (`sink.dir`).
 * @param gatewayId The gateway directory under `root`.
 * @param dataset `logs`, `traces`, `metrics`, `gascity_messages`, `gascity_events` (or the dataset itself).
 * @param date `YYYY-MM-DD`.
 * @param output The Parquet file to write; its directory is created.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/wpp-`);
 * const written = await writePartitionParquet(dir, "gw", "logs", "2025-03-01", `${dir}/out/data.parquet`);
 * assert.deepEqual(written, { rows: 0, bytes: 0 });
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function writePartitionParquet(
  root: string,
  gatewayId: string,
  dataset: string | Dataset,
  date: string,
  output: string,
  options: WritePartitionOptions = {},
): Promise<WrittenPartition> {
  const ds = typeof dataset === "string" ? datasetNamed(dataset) : dataset;
  if (!ds) throw new Error(`unknown dataset "${dataset}"`);
  const sourcePath = path.join(root, gatewayId, ds.signal, `${date}.jsonl`);
  const db = options.db ?? await openDb();
  const scratch: string[] = [];
  try {
    let select: string;
    if (options.cacheDir !== undefined) {
      const dir = partitionDir(options.cacheDir, ds.name, gatewayId, date);
      const outcome = await refreshPartition(db, { dataset: ds, gatewayId, date, sourcePath, dir }, {
        onBytes: options.onBytes,
      });
      for (const line of outcome.malformed) options.onMalformed?.(sourcePath, line);
      const parts = outcome.cursor?.parts ?? [];
      if (parts.length === 0) return { rows: 0, bytes: 0 };
      // The cursor's parts stay on disk for minutes after a later refresh retires them, long enough for this read.
      select = `SELECT * FROM read_parquet([${parts.map((p) => literal(path.join(dir, p.file))).join(", ")}])`;
    } else {
      const source = await unlessMissing(stat(sourcePath), "read", sourcePath);
      if (!source) return { rows: 0, bytes: 0 };
      await mkdir(path.dirname(output), { recursive: true, mode: 0o700 });
      const lines = `${output}.${token()}.jsonl`;
      scratch.push(lines);
      const copied = await copyCompleteLines(sourcePath, 0, source.size, lines, options.onBytes);
      if (copied.lines === copied.blank) return { rows: 0, bytes: 0 };
      select = jsonlSelect(ds, lines, { gatewayId, date }, objectSizeFor(copied.longest));
      if (options.onMalformed) {
        const [{ n }] = await db.all(`SELECT count(*)::INTEGER AS n FROM (${select})`);
        if (Number(n) < copied.lines - copied.blank) {
          for (const line of await malformedLines(lines, 1)) options.onMalformed(sourcePath, line);
        }
      }
    }
    // A dataset with a unique key: the rows the query views show for the day (no key twice, none an earlier day has).
    select = await uniqueRowsSelect(db, select, { root, dataset: ds, gatewayId, date, cacheDir: options.cacheDir });
    const staged = await stageFile(output);
    try {
      const sql = `SELECT ${projection(ds, options.gatewayIdColumn ?? true)} FROM (${select})`;
      const rows = await copyToParquet(db, sql, staged.path);
      if (rows === 0) return { rows: 0, bytes: 0 };
      await staged.commit();
      return { rows, bytes: (await stat(output)).size };
    } finally {
      await staged.discard();
    }
  } finally {
    for (const file of scratch) await rm(file, { force: true });
    if (!options.db) db.close();
  }
}
