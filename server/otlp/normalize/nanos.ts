/**
 * OTLP timestamps (`*UnixNano`: nanoseconds since the epoch, a decimal string, a number, or `{low, high}` from old
 * JavaScript exporters) to ISO-8601 strings and span durations, without BigInt: nanoseconds are split into whole
 * milliseconds and the nanoseconds left over, both exact in a double.
 *
 * @module
 */
import { isoTimestamp } from "../../../storage/utc_date.ts";

/** A timestamp as milliseconds since the epoch and the nanoseconds below a millisecond, both exact. */
export type Nanos = [ms: number, subMs: number];

/** The largest millisecond value a `Date` can hold. */
const MAX_DATE_MS = 8.64e15;

/** Reads a timestamp; undefined when absent, zero (OTLP's "unknown"), negative or not a number. */
export function nanos(value: unknown): Nanos | undefined {
  if (typeof value === "string") return fromDecimal(value);
  if (typeof value === "number") {
    if (!(value > 0) || !Number.isFinite(value)) return undefined;
    const ms = Math.floor(value / 1e6);
    return [ms, value - ms * 1e6];
  }
  if (value !== null && typeof value === "object") {
    // protobufjs Long, as some JavaScript exporters serialize it: two 32-bit halves.
    const { low, high } = value as { low?: unknown; high?: unknown };
    if (typeof low !== "number" || typeof high !== "number") return undefined;
    return fromHalves(low >>> 0, high >>> 0);
  }
  return undefined;
}

/**
 * Reads a decimal string of at most 20 digits, digit by digit: the digits above the last six are the milliseconds
 * (at most 14 digits, exact in a double), the last six the nanoseconds below them.
 */
function fromDecimal(value: string): Nanos | undefined {
  const length = value.length;
  if (length === 0 || length > 20) return undefined;
  const split = length - 6;
  let ms = 0;
  let sub = 0;
  for (let i = 0; i < length; i++) {
    const digit = value.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return undefined;
    if (i < split) ms = ms * 10 + digit;
    else sub = sub * 10 + digit;
  }
  return ms === 0 && sub === 0 ? undefined : [ms, sub];
}

/** Reads an unsigned 64-bit value given as 32-bit halves, exactly: hi * 2^32 = hi * 4294 * 1e6 + hi * 967296. */
function fromHalves(lo: number, hi: number): Nanos | undefined {
  if (lo === 0 && hi === 0) return undefined;
  const rest = hi * 967296 + lo; // < 2^53, exact
  const restMs = Math.floor(rest / 1e6);
  return [hi * 4294 + restMs, rest - restMs * 1e6];
}

/**
 * The ISO-8601 form (millisecond precision, truncated) of an OTLP timestamp; undefined when it is absent, zero or
 * invalid, or outside what a `Date` can hold.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoTime } from "./nanos.ts";
 *
 * assert.equal(isoTime("1776886719688999999"), "2026-04-22T19:38:39.688Z");
 * assert.equal(isoTime(0), undefined);
 * ```
 */
export function isoTime(value: unknown): string | undefined {
  return iso(nanos(value));
}

/** The ISO-8601 form of a timestamp read by {@link nanos}. */
export function iso(time: Nanos | undefined): string | undefined {
  if (time === undefined || time[0] > MAX_DATE_MS) return undefined;
  return isoTimestamp(time[0]);
}

/**
 * `end - start` in milliseconds, as a float keeping the nanoseconds; undefined when either is missing or the span
 * ends before it starts.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { durationMs } from "./nanos.ts";
 *
 * assert.equal(durationMs("1776886719688000000", "1776886719689500250"), 1.50025);
 * assert.equal(durationMs("2000000", "1000000"), undefined);
 * ```
 */
export function durationMs(start: unknown, end: unknown): number | undefined {
  return between(nanos(start), nanos(end));
}

/** `b - a` in milliseconds for timestamps read by {@link nanos}, as {@link durationMs}. */
export function between(a: Nanos | undefined, b: Nanos | undefined): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  const ns = (b[0] - a[0]) * 1e6 + (b[1] - a[1]);
  return ns < 0 ? undefined : ns / 1e6;
}
