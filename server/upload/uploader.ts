/**
 * Wiring of the uploader for one config: the S3 client, the settings, and the Parquet writer the caller supplies
 * (cli/ passes query/'s; server/ never imports query/), so a tick can be run by the daemon's scheduler or by
 * `ctvs upload --now`.
 *
 * @module
 */
import type { Config } from "../../platform/config/types.ts";
import { recordingRoot } from "../../platform/config/recording_root.ts";
import { type CredentialEnv, credentialProvider } from "../../storage/s3/credentials.ts";
import type { RetryPolicy } from "../../storage/s3/retry.ts";
import { S3Client } from "../../storage/s3/s3_client.ts";
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

/**
 * Builds the uploader of `config` (which must have `upload`, and `sink` or the server role), writing each day with
 * `writeParquet`.
 */
export function createUploader(
  config: Config,
  env: CredentialEnv,
  writeParquet: ParquetWriter,
  options: { retry?: RetryPolicy } = {},
): Uploader {
  if (!config.upload) throw new Error("Cannot upload: the config has no upload block");
  if (!config.sink && config.role !== "server") {
    throw new Error("Cannot upload: the config has no sink; upload archives sink.dir");
  }
  // A Central server archives what its gateways shipped (server.sink_dir) when it records nothing itself.
  const root = recordingRoot(config);
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
    tick: (extra) => runUploadTick({ root, settings, client, writeParquet, ...extra }),
  };
}
