/**
 * Wiring of the uploader for one config: the S3 client, the settings, and the Parquet writer from query/, so a
 * tick can be run by the daemon's scheduler or by `ctvs upload --now`.
 *
 * @module
 */
import path from "node:path";
import type { Config } from "../../platform/config/types.ts";
import { expandHome } from "../../platform/paths.ts";
import { writePartitionParquet } from "../../query/write_partition_parquet.ts";
import { type CredentialEnv, credentialProvider } from "../../storage/s3/credentials.ts";
import type { RetryPolicy } from "../../storage/s3/retry.ts";
import { S3Client } from "../../storage/s3/s3_client.ts";
import type { UploadJob } from "../../storage/upload/jobs.ts";
import { type ParquetWriter, runUploadTick, type UploadTickOptions } from "../../storage/upload/run_uploads.ts";
import { type UploadSettings, uploadSettings } from "../../storage/upload/upload_settings.ts";

/** An uploader ready to tick. */
export interface Uploader {
  root: string;
  settings: UploadSettings;
  client: S3Client;
  /** `s3://<bucket>/<prefix>`. */
  target: string;
  /** Runs one tick with these extra options (logging, progress, stop). */
  tick(options: Pick<UploadTickOptions, "log" | "onJob" | "onBytes" | "stopped">): ReturnType<typeof runUploadTick>;
}

/** Builds the uploader of `config` (which must have `upload` and `sink`). */
export function createUploader(config: Config, env: CredentialEnv, options: { retry?: RetryPolicy } = {}): Uploader {
  if (!config.upload) throw new Error("Cannot upload: the config has no upload block");
  if (!config.sink) throw new Error("Cannot upload: the config has no sink; upload archives sink.dir");
  const root = path.resolve(expandHome(config.sink.dir));
  const settings = uploadSettings(config.upload, env);
  const client = new S3Client({
    region: settings.region,
    endpoint: settings.endpoint,
    credentials: credentialProvider(env),
    retry: options.retry,
  });
  return {
    root,
    settings,
    client,
    target: `s3://${settings.bucket}/${settings.prefix}`,
    tick: (extra) => runUploadTick({ root, settings, client, writeParquet: writeJobParquet, ...extra }),
  };
}

/** The archive's v2 schema (gateway_id first), straight from the JSONL. */
export const writeJobParquet: ParquetWriter = (root: string, job: UploadJob, output: string) => {
  // `proxy` archives as `proxy_messages`, whose derivation is another module's work (reference §6).
  const dataset = job.signal === "proxy" ? "proxy_messages" : job.signal;
  return writePartitionParquet(root, job.gatewayId, dataset, job.date, output);
};
