/**
 * The Parquet writer of the S3 archive: one upload job (gateway, signal, day) as the `data.parquet` of its key, in
 * the archive's v2 schema (`gateway_id` first). It lives in query/ because it is the query engine's conversion;
 * cli/ hands it to the uploader (server/ and storage/ never import query/).
 *
 * @module
 */
import type { UploadJob } from "../storage/upload/jobs.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import { writePartitionParquet } from "./write_partition_parquet.ts";

/** Writes `job`'s day as Parquet at `output`; `{rows: 0}` when the day has no rows. */
export const writeArchiveParquet: ParquetWriter = (root: string, job: UploadJob, output: string) => {
  // `proxy` archives as `proxy_messages`, whose derivation is another module's work (reference §6).
  const dataset = job.signal === "proxy" ? "proxy_messages" : job.signal;
  return writePartitionParquet(root, job.gatewayId, dataset, job.date, output);
};
