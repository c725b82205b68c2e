/**
 * The `upload` block with its defaults applied (reference §8.1): prefix `collectivus`, 00:10 UTC, 30 catch-up
 * days, logs/traces/metrics, the Gas City signals and the imported transcripts, region from the config, else
 * `AWS_REGION`, else us-east-1; and where each signal's day files are and what its archived dataset is called.
 *
 * @module
 */
import { ConfigError } from "../../platform/config/config_error.ts";
import type { UploadConfig, UploadSignal } from "../../platform/config/types.ts";

export type { UploadSignal };

/** Where a signal's day files are and the dataset they are archived as. */
export interface ArchivedSignal {
  /** The day files: `<root>/<gw>/<dir>/<YYYY-MM-DD>.jsonl`. */
  dir: string;
  /** The dataset of the key: `<prefix>/<gw>/<dataset>/date=<d>/data.parquet`. */
  dataset: string;
}

/**
 * Every signal the archive takes, in the order a tick uploads a day's. `proxy` is archived as `proxy_messages`; the
 * imported transcripts are read from `ctvs import`'s day files (`transcripts/`, and `transcript_usage/`, from which
 * `transcript_requests` is derived).
 */
export const ARCHIVED_SIGNALS: Readonly<Record<UploadSignal, ArchivedSignal>> = {
  logs: { dir: "logs", dataset: "logs" },
  traces: { dir: "traces", dataset: "traces" },
  metrics: { dir: "metrics", dataset: "metrics" },
  proxy: { dir: "proxy", dataset: "proxy_messages" },
  gascity_messages: { dir: "gascity_messages", dataset: "gascity_messages" },
  gascity_events: { dir: "gascity_events", dataset: "gascity_events" },
  transcript_messages: { dir: "transcripts", dataset: "transcript_messages" },
  transcript_requests: { dir: "transcript_usage", dataset: "transcript_requests" },
};

/**
 * What is archived when `signals` is not set: the OTLP signals, Gas City's and the imported transcripts (a host that
 * captures no city or imports no transcript has no such files, so nothing changes for it). `proxy` stays opt-in, as
 * in the reference.
 */
export const DEFAULT_UPLOAD_SIGNALS: readonly UploadSignal[] = [
  "logs",
  "traces",
  "metrics",
  "gascity_messages",
  "gascity_events",
  "transcript_messages",
  "transcript_requests",
];

/** Upload settings with every default filled in. */
export interface UploadSettings {
  bucket: string;
  /** Without leading or trailing `/`; empty means keys start at the gateway id. */
  prefix: string;
  region: string;
  endpoint?: string;
  /** `HH:MM`, UTC. */
  time: string;
  signals: UploadSignal[];
  catchupDays: number;
}

/**
 * Why `upload.iceberg` is refused: the original turns it into one Iceberg table per gateway and signal (reference §8.4),
 * which this build cannot write. Uploading the daily files instead would put them where an Iceberg reader never looks,
 * and the ledger would then skip those days for good, so the uploader and `--archive` stop with this message.
 */
export const ICEBERG_UNSUPPORTED = "/upload/iceberg: Iceberg tables are not supported in this build; remove " +
  "upload.iceberg to archive one Parquet file per day (<prefix>/<gateway_id>/<dataset>/date=<YYYY-MM-DD>/data.parquet)";

/**
 * Throws what this build cannot do with a valid `upload` block: the daemon and `ctvs upload` call it before anything
 * starts, so the problem shows at start and not at the first tick.
 *
 * @throws ConfigError with {@linkcode ICEBERG_UNSUPPORTED} when `iceberg` is set.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * checkUploadSupported({ bucket: "b" });
 * assert.throws(() => checkUploadSupported({ bucket: "b", iceberg: {} }), /not supported in this build/);
 * ```
 */
export function checkUploadSupported(upload: UploadConfig): void {
  if (upload.iceberg !== undefined) throw new ConfigError(ICEBERG_UNSUPPORTED);
}

/**
 * Applies the defaults to a validated `upload` block.
 *
 * @param upload The block as written.
 * @param env Where `AWS_REGION` is read.
 * @returns The settings.
 * @throws ConfigError when the block asks for what this build cannot do (`iceberg`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadSettings } from "./upload_settings.ts";
 * assert.deepEqual(uploadSettings({ bucket: "b", prefix: "/archive/" }, {}), {
 *   bucket: "b", prefix: "archive", region: "us-east-1", time: "00:10",
 *   signals: ["logs", "traces", "metrics", "gascity_messages", "gascity_events", "transcript_messages",
 *     "transcript_requests"],
 *   catchupDays: 30,
 * });
 * ```
 */
export function uploadSettings(
  upload: UploadConfig,
  env: Readonly<Record<string, string | undefined>>,
): UploadSettings {
  checkUploadSupported(upload);
  return {
    bucket: upload.bucket,
    prefix: (upload.prefix ?? "collectivus").replace(/^\/+|\/+$/g, ""),
    region: upload.region || env.AWS_REGION || "us-east-1",
    ...(upload.endpoint ? { endpoint: upload.endpoint } : {}),
    time: upload.time ?? "00:10",
    signals: upload.signals ?? [...DEFAULT_UPLOAD_SIGNALS],
    catchupDays: upload.catchupDays ?? 30,
  };
}

/**
 * The object key: `<prefix>/<gateway_id>/<dataset>/date=<YYYY-MM-DD>/data.parquet`; the dataset is the signal's name,
 * except `proxy`, archived as `proxy_messages`.
 */
export function objectKey(prefix: string, gatewayId: string, signal: UploadSignal, date: string): string {
  const { dataset } = ARCHIVED_SIGNALS[signal];
  return [prefix, gatewayId, dataset, `date=${date}`, "data.parquet"].filter((s) => s !== "").join("/");
}
