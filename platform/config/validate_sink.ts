/**
 * Validation of the `sink` block: where recordings are written.
 *
 * @module
 */
import { checkNonEmptyString, checkObject, checkOneOf, child, fail, has, required } from "./_checks.ts";

const POINTER = "/sink";
const SINK_KEYS = ["type", "dir", "fsync"] as const;

/** Checks the `sink` block at `/sink`: type `"file"`, a directory, an optional fsync policy. */
export function validateSink(value: unknown): void {
  const sink = checkObject(value, POINTER, SINK_KEYS);
  if (sink.type !== "file") fail(child(POINTER, "type"), 'only sink type "file" is supported in v0');
  checkNonEmptyString(required(sink, "dir", POINTER), child(POINTER, "dir"));
  if (has(sink, "fsync")) checkOneOf(sink.fsync, child(POINTER, "fsync"), ["always", "rotate"]);
}
