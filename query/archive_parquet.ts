/**
 * The Parquet writer of the S3 archive: one upload job (gateway, signal, day) as the `data.parquet` of its key, in
 * the archive's v2 schema (`gateway_id` first). It lives in query/ because it is the query engine's conversion;
 * cli/ hands it to the uploader (server/ and storage/ never import query/).
 *
 * `logs`, `traces` and `metrics` convert the day's JSONL directly. `proxy` archives as `proxy_messages` (reference
 * §8.1-§8.2): derived in the query cache (`<root>/.collectivus-query/cache`), after the gateway's earlier proxy days,
 * so their message ids (`priorSeen`) keep a conversation that spans midnight from repeating its history, and the
 * archived rows are the rows `ctvs query proxy` shows for that day.
 *
 * @module
 */
import type { UploadJob } from "../storage/upload/jobs.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import { defaultCacheDir } from "./cache_layout.ts";
import { PROXY_MESSAGES } from "./proxy_messages/dataset.ts";
import { type Db, openDb } from "./duckdb.ts";
import { listPartitions } from "./partitions.ts";
import { refreshPartition } from "./refresh_partition.ts";
import { writePartitionParquet } from "./write_partition_parquet.ts";

/** Writes `job`'s day as Parquet at `output`; `{rows: 0}` when the day has no rows. */
export const writeArchiveParquet: ParquetWriter = async (root: string, job: UploadJob, output: string) => {
  if (job.signal === "proxy") return await writeProxyMessages(root, job, output);
  const db = await archiveDb();
  try {
    return await writePartitionParquet(root, job.gatewayId, job.signal, job.date, output, { db });
  } finally {
    db.close();
  }
};

/**
 * A DuckDB for a conversion inside the collector: one thread (a daemon's background job, and each extra thread holds
 * its own row group) and no insertion order to keep (the archive is read by time, not by file order).
 */
async function archiveDb(): Promise<Db> {
  const db = await openDb();
  await db.run(`SET threads = ${ARCHIVE_THREADS}`);
  await db.run("SET preserve_insertion_order = false");
  return db;
}

/** DuckDB threads of an archive conversion. */
export const ARCHIVE_THREADS = 1;

async function writeProxyMessages(root: string, job: UploadJob, output: string) {
  const cacheDir = defaultCacheDir(root);
  const db = await openDb();
  try {
    // Earlier days first, oldest first (each a no-op when its cache is fresh): their ids are this day's priorSeen.
    for (const p of await listPartitions(root, cacheDir, PROXY_MESSAGES)) {
      if (p.gatewayId === job.gatewayId && p.date < job.date) await refreshPartition(db, p);
    }
    return await writePartitionParquet(root, job.gatewayId, PROXY_MESSAGES, job.date, output, { cacheDir, db });
  } finally {
    db.close();
  }
}
