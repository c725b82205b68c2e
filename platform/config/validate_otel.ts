/**
 * Validation of the `otel` block: the OTLP/HTTP receiver.
 *
 * @module
 */
import { checkListen, checkObject, checkPositiveInteger, child, has, required } from "./_checks.ts";

const POINTER = "/otel";
const OTEL_KEYS = ["listen", "max_body_bytes"] as const;

/** Checks the `otel` block at `/otel`: a `host:port` listen address and an optional body size limit. */
export function validateOtel(value: unknown): void {
  const otel = checkObject(value, POINTER, OTEL_KEYS);
  checkListen(required(otel, "listen", POINTER), child(POINTER, "listen"));
  if (has(otel, "max_body_bytes")) checkPositiveInteger(otel.max_body_bytes, child(POINTER, "max_body_bytes"));
}
