/**
 * A collection as a whole: its sources (the file, or every file its glob matches, plus every cached source whose
 * file is gone or no longer matches, so it stays queryable), their freshness, their refresh, and the query table
 * over all their cached parts.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import { unlessMissing } from "../../platform/fs_error.ts";
import { type Cursor, readCursor } from "../cursor.ts";
import type { Db } from "../duckdb.ts";
import { type Freshness, freshnessOf } from "../freshness.ts";
import type { MalformedLine } from "../malformed_lines.ts";
import type { TableSource } from "../session.ts";
import { compileGlob } from "./glob.ts";
import { type CollectionColumn, FIXED_COLUMNS, mergeKind, TYPE_OF } from "./infer.ts";
import type { Collection } from "./manifest.ts";
import { cursorColumns, refreshCollectionSource, sourceDir } from "./source.ts";

/** One source of a collection and its cache state. */
export interface SourceStatus {
  sourcePath: string;
  dir: string;
  cursor: Cursor | undefined;
  freshness: Freshness;
}

async function walk(dir: string, found: string[]): Promise<void> {
  const entries = await unlessMissing(readdir(dir, { withFileTypes: true }), "list", dir);
  for (const entry of entries ?? []) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, found);
    else if (entry.isFile()) found.push(full);
  }
}

/** The source files of `collection` on disk now, sorted. */
export async function matchingFiles(collection: Collection): Promise<string[]> {
  if (collection.source_path) return [collection.source_path];
  const glob = compileGlob(collection.source_glob!);
  const found: string[] = [];
  await walk(glob.root, found);
  return found.filter((f) => glob.matches(f)).sort();
}

/** Every source of `collection`: the files matching now and the cached ones, with their freshness. */
export async function collectionSources(cacheDir: string, collection: Collection): Promise<SourceStatus[]> {
  const paths = new Set(await matchingFiles(collection));
  const tableDir = path.join(cacheDir, "collections", collection.table);
  for (const entry of (await unlessMissing(readdir(tableDir), "list", tableDir)) ?? []) {
    const cursor = await readCursor(path.join(tableDir, entry, "cursor.json"));
    if (cursor) paths.add(cursor.source_path);
  }
  return await Promise.all(
    [...paths].sort().map(async (sourcePath) => {
      const dir = sourceDir(cacheDir, collection.table, sourcePath);
      const cursor = await readCursor(path.join(dir, "cursor.json"));
      const freshness = await freshnessOf(cursor, sourcePath, dir, cursor?.schema_fingerprint ?? "");
      return { sourcePath, dir, cursor, freshness };
    }),
  );
}

/** One step of a collection refresh. */
export type CollectionEvent =
  | { kind: "fresh"; table: string; sourcePath: string }
  | { kind: "wrote"; table: string; sourcePath: string; rows: number }
  | { kind: "malformed"; sourcePath: string; line: MalformedLine }
  | { kind: "failed"; table: string; sourcePath: string; error: string };

/** Options of {@linkcode refreshCollection}. */
export interface RefreshCollectionOptions {
  /** Re-read every source in full (a new epoch). */
  force?: boolean;
  /** Only the sources this accepts (all when absent). */
  only?: (sourcePath: string) => boolean;
  onEvent?: (event: CollectionEvent) => void;
  /** Bytes and complete lines of `sourcePath` read so far (progress). */
  onBytes?: (sourcePath: string, bytes: number, lines: number) => void;
}

/** Refreshes every source of `collection` that is not fresh (all with `force`); resolves with the totals. */
export async function refreshCollection(
  db: Db,
  cacheDir: string,
  collection: Collection,
  options: RefreshCollectionOptions = {},
): Promise<{ written: number; fresh: number; rows: number; failures: number }> {
  const totals = { written: 0, fresh: 0, rows: 0, failures: 0 };
  const emit = options.onEvent ?? (() => {});
  const { table } = collection;
  for (const source of await collectionSources(cacheDir, collection)) {
    if (options.only && !options.only(source.sourcePath)) continue;
    if (!options.force && source.freshness.state === "fresh") {
      totals.fresh++;
      emit({ kind: "fresh", table, sourcePath: source.sourcePath });
      continue;
    }
    try {
      const outcome = await refreshCollectionSource(
        db,
        cacheDir,
        table,
        source.sourcePath,
        collection.timestamp_column,
        {
          force: options.force,
          onBytes: options.onBytes && ((bytes, lines) => options.onBytes!(source.sourcePath, bytes, lines)),
        },
      );
      for (const line of outcome.malformed) emit({ kind: "malformed", sourcePath: source.sourcePath, line });
      if (outcome.status === "wrote") {
        totals.written++;
        totals.rows += outcome.rows;
        emit({ kind: "wrote", table, sourcePath: source.sourcePath, rows: outcome.rows });
      } else {
        totals.fresh++;
        emit({ kind: "fresh", table, sourcePath: source.sourcePath });
      }
    } catch (err) {
      totals.failures++;
      emit({ kind: "failed", table, sourcePath: source.sourcePath, error: (err as Error).message });
    }
  }
  return totals;
}

/** The columns of a collection: the fixed ones, then every source's inferred ones merged by name. */
export function collectionColumns(sources: SourceStatus[]): (CollectionColumn | typeof FIXED_COLUMNS[number])[] {
  const merged = new Map<string, CollectionColumn>();
  for (const source of sources) {
    for (const c of cursorColumns(source.cursor?.meta)) {
      const seen = merged.get(c.name);
      if (!seen) merged.set(c.name, { ...c });
      else {
        const kind = mergeKind(seen.kind, c.kind);
        merged.set(c.name, { ...seen, kind, type: TYPE_OF[kind], nullable: seen.nullable || c.nullable });
      }
    }
  }
  return [...FIXED_COLUMNS, ...merged.values()];
}

const TIME_COLUMNS = ["timestamp", "time", "ts", "created_at", "createdat", "date"];

/** The query table of a collection: every cached part of every source, filtered by time and service. */
export function collectionTable(collection: Collection, sources: SourceStatus[]): TableSource {
  const columns = collectionColumns(sources);
  const byName = new Map(columns.map((c) => [c.name, c]));
  const stamp = collection.timestamp_column
    ? columns.find((c) => "source_field" in c && c.source_field === collection.timestamp_column)?.name
    : TIME_COLUMNS.find((n) => byName.get(n)?.type === "TIMESTAMP");
  return {
    name: collection.table,
    columns: columns.map((c) => ({ name: c.name, type: c.type })),
    files: sources.flatMap((s) => (s.cursor?.parts ?? []).map((p) => path.join(s.dir, p.file))),
    scope: {
      timestamps: stamp && byName.get(stamp)?.type === "TIMESTAMP" ? [stamp] : [],
      services: ["servicename", "service_name"].filter((n) => byName.has(n)),
      partitioned: false,
    },
  };
}
