/**
 * The rows of one day of a dataset with a unique key (`gascity_messages` by `row_id`, `gascity_events` by
 * `event_id`) as the query views show them: one row per key, and none whose key an earlier day of the same gateway
 * already holds (a batch the capture wrote again after a crash, on either side of midnight). `ctvs export` and the S3
 * archive write these rows, so a Parquet file never holds a row twice.
 *
 * @module
 */
import path from "node:path";
import { stat } from "node:fs/promises";
import { listDayFiles } from "../storage/day_files.ts";
import { copyCompleteLines } from "./complete_lines.ts";
import { type Dataset, ident, literal } from "./dataset.ts";
import type { Db } from "./duckdb.ts";
import { objectSizeFor, readJsonCall } from "./jsonl_select.ts";
import { listPartitions } from "./partitions.ts";
import { refreshPartition } from "./refresh_partition.ts";

/** Where one day of a dataset is, and the cache that holds its earlier days (none: their JSONL is read). */
export interface DayOfDataset {
  root: string;
  dataset: Dataset;
  gatewayId: string;
  date: string;
  cacheDir?: string;
}

/**
 * Wraps `select` (the day's rows, in the dataset's columns) so it keeps one row per key and drops the keys of the
 * gateway's earlier days; `select` itself when the dataset has no unique key. With a cache the earlier days are
 * refreshed in it first (a no-op when fresh) and their keys read from the Parquet parts; without one, from the
 * earlier JSONL files.
 *
 * @param db The database the select will run in (earlier days are refreshed there).
 * @param select A SELECT of the day's rows.
 * @param day The day, its dataset and gateway, and the cache.
 * @returns A SELECT of the same columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openDb } from "./duckdb.ts";
 * import { GASCITY_EVENTS } from "./gascity/datasets.ts";
 * import { LOGS } from "./datasets.ts";
 * const db = await openDb();
 * const rows = "SELECT * FROM (VALUES ('a', 1), ('a', 2), ('b', 3), (NULL, 4), (NULL, 5)) t(event_id, n)";
 * const day = { root: "/nonexistent", dataset: GASCITY_EVENTS, gatewayId: "gw", date: "2025-03-02" };
 * const unique = await uniqueRowsSelect(db, rows, day);
 * const [{ n }] = await db.all(`SELECT count(*)::INTEGER AS n FROM (${unique})`);
 * assert.equal(n, 4);
 * assert.equal(await uniqueRowsSelect(db, rows, { ...day, dataset: LOGS }), rows);
 * db.close();
 * ```
 */
export async function uniqueRowsSelect(db: Db, select: string, day: DayOfDataset): Promise<string> {
  const { uniqueKey } = day.dataset;
  if (!uniqueKey) return select;
  const key = ident(uniqueKey);
  const earlier = await earlierKeys(db, day);
  const notEarlier = earlier
    ? ` WHERE ${key} IS NULL OR ${key} NOT IN (SELECT ${key} FROM (${earlier}) WHERE ${key} IS NOT NULL)`
    : "";
  return `SELECT * FROM (${select})${notEarlier} QUALIFY ${key} IS NULL OR row_number() OVER (PARTITION BY ${key}) = 1`;
}

/** A SELECT of the key column over the gateway's days before `day.date`, or undefined when there are none. */
async function earlierKeys(db: Db, day: DayOfDataset): Promise<string | undefined> {
  const { dataset, gatewayId, date } = day;
  const key = dataset.uniqueKey!;
  if (day.cacheDir !== undefined) {
    const files: string[] = [];
    for (const p of await listPartitions(day.root, day.cacheDir, dataset)) {
      if (p.gatewayId !== gatewayId || p.date >= date) continue;
      const outcome = await refreshPartition(db, p);
      for (const part of outcome.cursor?.parts ?? []) files.push(path.join(p.dir, part.file));
    }
    if (files.length === 0) return undefined;
    return `SELECT ${ident(key)} FROM read_parquet([${files.map(literal).join(", ")}])`;
  }
  const days = (await listDayFiles(day.root, dataset.signal)).filter((f) => f.gatewayId === gatewayId && f.date < date);
  if (days.length === 0) return undefined;
  // The read buffer must hold the longest line of every file (a line over it fails the read, it is never cut).
  let longest = 0;
  for (const f of days) {
    longest = Math.max(longest, (await copyCompleteLines(f.path, 0, (await stat(f.path)).size)).longest);
  }
  return `SELECT ${ident(key)} FROM ${
    readJsonCall({ fields: { [key]: "VARCHAR" } }, days.map((f) => f.path), objectSizeFor(longest))
  }`;
}
