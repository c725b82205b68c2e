/**
 * The `upload` block with its defaults applied (reference §8.1): prefix `collectivus`, 00:10 UTC, 30 catch-up
 * days, logs/traces/metrics, region from the config, else `AWS_REGION`, else us-east-1.
 *
 * @module
 */
import type { UploadConfig } from "../../platform/config/types.ts";

/** A signal the uploader can archive. */
export type UploadSignal = "logs" | "traces" | "metrics" | "proxy";

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
 * Applies the defaults to a validated `upload` block.
 *
 * @param upload The block as written.
 * @param env Where `AWS_REGION` is read.
 * @returns The settings.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uploadSettings } from "./upload_settings.ts";
 * assert.deepEqual(uploadSettings({ bucket: "b", prefix: "/archive/" }, {}), {
 *   bucket: "b", prefix: "archive", region: "us-east-1", time: "00:10",
 *   signals: ["logs", "traces", "metrics"], catchupDays: 30,
 * });
 * ```
 */
export function uploadSettings(
  upload: UploadConfig,
  env: Readonly<Record<string, string | undefined>>,
): UploadSettings {
  return {
    bucket: upload.bucket,
    prefix: (upload.prefix ?? "collectivus").replace(/^\/+|\/+$/g, ""),
    region: upload.region || env.AWS_REGION || "us-east-1",
    ...(upload.endpoint ? { endpoint: upload.endpoint } : {}),
    time: upload.time ?? "00:10",
    signals: upload.signals ?? ["logs", "traces", "metrics"],
    catchupDays: upload.catchupDays ?? 30,
  };
}

/** The object key: `<prefix>/<gateway_id>/<dataset>/date=<YYYY-MM-DD>/data.parquet`. */
export function objectKey(prefix: string, gatewayId: string, signal: UploadSignal, date: string): string {
  const dataset = signal === "proxy" ? "proxy_messages" : signal;
  return [prefix, gatewayId, dataset, `date=${date}`, "data.parquet"].filter((s) => s !== "").join("/");
}
