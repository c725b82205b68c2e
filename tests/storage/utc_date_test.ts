import assert from "node:assert/strict";
import { test } from "node:test";
import { utcDate } from "../../storage/utc_date.ts";

test("utcDate() formats the UTC calendar date", () => {
  assert.equal(utcDate(new Date("2025-01-02T00:00:00Z")), "2025-01-02");
  assert.equal(utcDate(new Date("2024-12-31T23:59:59.999Z")), "2024-12-31");
});

test("utcDate() uses UTC, not the local time zone", () => {
  assert.equal(utcDate(new Date("2025-03-01T20:30:00-05:00")), "2025-03-02");
  assert.equal(utcDate(new Date("2025-03-02T01:00:00+09:00")), "2025-03-01");
});

test("utcDate() rejects an invalid date", () => {
  assert.throws(() => utcDate(new Date("nope")), { name: "RangeError", message: "Cannot format date: it is invalid" });
});
