/**
 * The one way the query engine writes a zstd Parquet file from a SELECT (cache parts, their compaction, `ctvs export`,
 * the S3 archive), with row groups cut by size: DuckDB holds a row group in memory per thread until it is written, and
 * its default of 122,880 rows is hundreds of MB when rows carry LLM bodies or large log records.
 *
 * @module
 */
import { literal } from "./dataset.ts";
import type { Db } from "./duckdb.ts";

/**
 * The target in-memory size of a row group. 16 MiB keeps a 1 GB day's conversion near 200 MB RSS on one thread
 * (122,880-row groups: about 500 MB) and is as fast; the groups still hold tens of thousands of typical rows.
 */
export const ROW_GROUP_BYTES = 16 * 1024 * 1024;

/** Options of {@linkcode copyToParquet}. */
export interface CopyToParquetOptions {
  /** Rows a row group holds at most (DuckDB's default is 122,880); the byte target applies too. */
  rowGroupRows?: number;
  /** DuckDB threads for this copy (the connection's setting otherwise). */
  threads?: number;
}

/**
 * Writes the rows of `select` to `output` as zstd Parquet with row groups of about {@linkcode ROW_GROUP_BYTES}.
 *
 * DuckDB cuts row groups by bytes only without insertion order, so the copy runs with `preserve_insertion_order`
 * off (rows of a file are read by time, never by position) and the connection's settings are put back after it:
 * a query in the same database still gets its rows in order.
 *
 * @param db The database to run it in.
 * @param select A SELECT (not wrapped in parentheses).
 * @param output The Parquet file to write.
 * @returns The rows written.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import { openDb } from "./duckdb.ts";
 * const db = await openDb();
 * const dir = mkdtempSync(`${tmpdir()}/copy-`);
 * const file = `${dir}/t.parquet`;
 * assert.equal(await copyToParquet(db, "SELECT range AS n FROM range(5000)", file), 5000);
 * const [{ ordered }] = await db.all("SELECT current_setting('preserve_insertion_order') AS ordered");
 * assert.equal(ordered, true);
 * db.close();
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function copyToParquet(
  db: Db,
  select: string,
  output: string,
  options: CopyToParquetOptions = {},
): Promise<number> {
  const [before] = await db.all(
    "SELECT current_setting('preserve_insertion_order') AS ordered, current_setting('threads') AS threads",
  );
  const rowGroupRows = options.rowGroupRows ? `, ROW_GROUP_SIZE ${options.rowGroupRows}` : "";
  await db.run("SET preserve_insertion_order = false");
  try {
    if (options.threads) await db.run(`SET threads = ${options.threads}`);
    const result = await db.all(
      `COPY (${select}) TO ${literal(output)} ` +
        `(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE_BYTES ${ROW_GROUP_BYTES}${rowGroupRows})`,
    );
    return Number(result[0]?.Count ?? 0);
  } finally {
    await db.run(`SET preserve_insertion_order = ${before.ordered}`);
    await db.run(`SET threads = ${before.threads}`);
  }
}
