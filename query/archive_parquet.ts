/**
 * The Parquet writer of the S3 archive: one upload job (gateway, signal, day) as the `data.parquet` of its key, in
 * the archive's v2 schema (`gateway_id` first). It lives in query/ because it is the query engine's conversion;
 * cli/ hands it to the uploader (server/ and storage/ never import query/).
 *
 * `logs`, `traces`, `metrics` and `transcript_messages` convert the day's JSONL directly. The derived datasets,
 * `proxy_messages` (the `proxy` signal, reference §8.1-§8.2) and `transcript_requests`, are derived in the config's
 * query cache (`query.cache.dir`, else `<root>/.collectivus-query/cache`) after the gateway's earlier days: what
 * those hold (the message ids of `priorSeen`, the usage keys already counted) keeps a conversation that spans
 * midnight from repeating its history, and the archived rows are the rows `ctvs query` shows for that day.
 * `gascity_messages` and `gascity_events` are written from the same cache, one row per `row_id` / `event_id` and none
 * an earlier day of the gateway holds (`uniqueRowsSelect`): the rows the query views show, even after a batch was
 * written twice.
 *
 * @module
 */
import type { UploadJob } from "../storage/upload/jobs.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import type { Config } from "../platform/config/types.ts";
import { ARCHIVED_SIGNALS } from "../storage/upload/upload_settings.ts";
import { configuredCacheDir } from "./cache_layout.ts";
import type { Dataset } from "./dataset.ts";
import { datasetNamed } from "./datasets.ts";
import { openDb } from "./duckdb.ts";
import { refreshEarlierDays } from "./refresh_partition.ts";
import { writePartitionParquet } from "./write_partition_parquet.ts";

/**
 * The archive's Parquet writer for `config`: each job's day as Parquet at `output`, `{rows: 0}` when the day has no
 * rows; the derived and Gas City days go through the cache `config` names.
 *
 * @param config The collector's config (its `query` block locates the cache).
 * @returns The writer the uploader calls per job.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const root = mkdtempSync(`${tmpdir()}/apw-`);
 * const write = archiveParquetWriter({ query: { cache: { dir: `${root}/cache` } } });
 * const job = { gatewayId: "gw", signal: "logs" as const, date: "2025-03-01" };
 * assert.deepEqual(await write(root, job, `${root}/data.parquet`), { rows: 0, bytes: 0 });
 * rmSync(root, { recursive: true });
 * ```
 */
export function archiveParquetWriter(config: Pick<Config, "query">): ParquetWriter {
  return async (root: string, job: UploadJob, output: string) => {
    const dataset = datasetNamed(ARCHIVED_SIGNALS[job.signal].dataset)!;
    if (dataset.derive) return await writeDerived(root, configuredCacheDir(config, root), dataset, job, output);
    // One thread: a daemon's background job, and each extra thread holds a row group of its own.
    const db = await openDb();
    try {
      await db.run(`SET threads = ${ARCHIVE_THREADS}`);
      // The Gas City days keep their earlier days' keys in the cache (read again every day otherwise).
      const cacheDir = dataset.uniqueKey ? configuredCacheDir(config, root) : undefined;
      return await writePartitionParquet(root, job.gatewayId, dataset, job.date, output, { db, cacheDir });
    } finally {
      db.close();
    }
  };
}

/** The writer of a config without a `query` block (derived days in the default cache): tests and benchmarks. */
export const writeArchiveParquet: ParquetWriter = archiveParquetWriter({});

/** DuckDB threads of an archive conversion. */
export const ARCHIVE_THREADS = 1;

/** A derived dataset's day, derived in the cache after the gateway's earlier days. */
async function writeDerived(root: string, cacheDir: string, dataset: Dataset, job: UploadJob, output: string) {
  const db = await openDb();
  try {
    await refreshEarlierDays(db, { root, cacheDir }, dataset, job);
    return await writePartitionParquet(root, job.gatewayId, dataset, job.date, output, { cacheDir, db });
  } finally {
    db.close();
  }
}
