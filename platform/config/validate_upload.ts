/**
 * Validation of the `upload` block: the daily Parquet archive to S3-compatible storage.
 *
 * @module
 */
import {
  checkNonEmptyString,
  checkNonNegativeInteger,
  checkObject,
  checkOneOf,
  checkString,
  child,
  fail,
  has,
  required,
} from "./_checks.ts";
import type { UploadSignal } from "./types.ts";

const POINTER = "/upload";
const UPLOAD_KEYS = ["bucket", "prefix", "region", "time", "signals", "catchupDays", "endpoint", "iceberg"] as const;
const SIGNALS: readonly UploadSignal[] = [
  "logs",
  "traces",
  "metrics",
  "proxy",
  "gascity_messages",
  "gascity_events",
  "transcript_messages",
  "transcript_requests",
];
const TIME_PATTERN = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Checks the `upload` block at `/upload`. Defaults are not injected (the uploader applies them). */
export function validateUpload(value: unknown): void {
  const upload = checkObject(value, POINTER, UPLOAD_KEYS);
  checkNonEmptyString(required(upload, "bucket", POINTER), child(POINTER, "bucket"));
  if (has(upload, "prefix")) checkNonEmptyString(upload.prefix, child(POINTER, "prefix"));
  if (has(upload, "region")) checkString(upload.region, child(POINTER, "region"));
  if (has(upload, "time") && (typeof upload.time !== "string" || !TIME_PATTERN.test(upload.time))) {
    fail(child(POINTER, "time"), "must be HH:MM (24-hour)");
  }
  if (has(upload, "signals")) {
    const pointer = child(POINTER, "signals");
    if (!Array.isArray(upload.signals)) fail(pointer, "must be an array");
    upload.signals.forEach((signal, index) => checkOneOf(signal, child(pointer, index), SIGNALS));
  }
  if (has(upload, "catchupDays")) checkNonNegativeInteger(upload.catchupDays, child(POINTER, "catchupDays"));
  if (has(upload, "endpoint")) checkNonEmptyString(upload.endpoint, child(POINTER, "endpoint"));
  if (has(upload, "iceberg")) checkObject(upload.iceberg, child(POINTER, "iceberg"), []);
}
