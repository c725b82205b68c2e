/**
 * The UTC calendar date that names a day file.
 *
 * @module
 */

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
  // toISOString is always `YYYY-MM-DDTHH:mm:ss.sssZ` for years 0-9999, the only ones a clock will give us.
  return date.toISOString().slice(0, 10);
}
