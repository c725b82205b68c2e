/**
 * UTC time as text: the calendar date that names a day file, and ISO-8601 timestamps for rows, formatted many
 * thousand times a second by the receivers and the proxy.
 *
 * @module
 */

// The minute of the last timestamp formatted, and its `YYYY-MM-DDTHH:MM:` prefix: timestamps formatted close together
// share a minute, so most are built from the cached prefix instead of through a Date (several times faster).
let cachedMinute = NaN;
let cachedPrefix = "";

/**
 * `new Date(ms).toISOString()`, faster when the minute repeats.
 *
 * @param ms Milliseconds since the epoch (a valid Date's range).
 * @returns The ISO-8601 timestamp, e.g. `"2025-03-01T10:00:05.007Z"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { isoTimestamp } from "./utc_date.ts";
 *
 * assert.equal(isoTimestamp(Date.UTC(2025, 2, 1, 10, 0, 5, 7)), "2025-03-01T10:00:05.007Z");
 * assert.equal(isoTimestamp(Date.UTC(2025, 2, 1, 10, 0, 59, 999)), "2025-03-01T10:00:59.999Z");
 * ```
 */
export function isoTimestamp(ms: number): string {
  const minute = Math.floor(ms / 60_000);
  if (minute !== cachedMinute) {
    const full = new Date(ms).toISOString();
    // Years past 9999 print with a sign and six digits: leave those to Date every time.
    if (full.length !== 24) return full;
    cachedMinute = minute;
    cachedPrefix = full.slice(0, 17);
    return full;
  }
  const inMinute = ms - minute * 60_000;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  return cachedPrefix + (seconds < 10 ? "0" : "") + seconds + (millis < 10 ? ".00" : millis < 100 ? ".0" : ".") +
    millis + "Z";
}

/**
 * Formats `date` as `YYYY-MM-DD` in UTC: the day-file name, so every host rotates at the same instant whatever its
 * time zone.
 *
 * @param date The instant to format.
 * @returns The UTC date, e.g. `"2025-03-01"`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { utcDate } from "./utc_date.ts";
 *
 * assert.equal(utcDate(new Date("2025-03-01T23:59:59.999-01:00")), "2025-03-02");
 * ```
 */
export function utcDate(date: Date): string {
  const time = date.getTime();
  if (Number.isNaN(time)) throw new RangeError("Cannot format date: it is invalid");
  // Always `YYYY-MM-DDTHH:mm:ss.sssZ` for years 0-9999, the only ones a clock will give us.
  return isoTimestamp(time).slice(0, 10);
}
