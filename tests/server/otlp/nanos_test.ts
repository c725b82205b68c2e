import assert from "node:assert/strict";
import { test } from "node:test";
import { durationMs, isoTime } from "../../../server/otlp/normalize/nanos.ts";
import { int64Decimal, uint64Decimal } from "../../../server/otlp/protobuf/decimal.ts";

test("isoTime() truncates nanoseconds to milliseconds from strings, numbers and {low, high}", () => {
  assert.equal(isoTime("1776886719688999999"), "2026-04-22T19:38:39.688Z");
  assert.equal(isoTime(1544712660300000000), "2018-12-13T14:51:00.300Z");
  const ns = 1544712660300000000n;
  assert.equal(
    isoTime({ low: Number(ns & 0xffffffffn) | 0, high: Number(ns >> 32n) | 0 }),
    "2018-12-13T14:51:00.300Z",
  );
  assert.equal(isoTime("999"), "1970-01-01T00:00:00.000Z");
});

test("isoTime() leaves out zero, absent, negative, non-numeric and out-of-range timestamps", () => {
  for (const value of [0, "0", undefined, null, -5, "-5", "12a", "", "1e18", 1.5e30, "1000000000000000000000000", {}]) {
    assert.equal(isoTime(value), undefined, String(value));
  }
});

test("durationMs() keeps nanoseconds and is undefined when a time is missing or the span ends first", () => {
  assert.equal(durationMs("1776886719688000000", "1776886719689500250"), 1.50025);
  assert.equal(durationMs("1000", "2000"), 0.001);
  assert.equal(durationMs("1776886719688000000", "1776886719688000000"), 0);
  assert.equal(durationMs("1776886719688000001", "1776886719688000000"), undefined);
  assert.equal(durationMs(undefined, "1776886719688000000"), undefined);
});

test("uint64Decimal() and int64Decimal() match BigInt over the whole 64-bit range", () => {
  let seed = 7;
  const next = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0);
  const samples = [
    0n,
    1n,
    2n ** 32n - 1n,
    2n ** 32n,
    2n ** 53n - 1n,
    2n ** 53n,
    2n ** 63n - 1n,
    2n ** 63n,
    2n ** 64n - 1n,
  ];
  for (let i = 0; i < 5000; i++) samples.push((BigInt(next()) << 32n) | BigInt(next()));
  for (const value of samples) {
    const lo = Number(value & 0xffffffffn);
    const hi = Number(value >> 32n);
    assert.equal(uint64Decimal(lo, hi), value.toString());
    assert.equal(int64Decimal(lo, hi), BigInt.asIntN(64, value).toString());
  }
});

test("isoTime() formats like Date.toISOString() across minutes, years and the edges of the range", () => {
  const samples = [1, 999, 1000, 59_999, 60_000, 946_684_799_999, 946_684_800_000, 18_446_744_073_709];
  let seed = 3;
  for (let i = 0; i < 20_000; i++) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    // Runs of nearby times (the cached minute) and jumps to anywhere up to 2^64 ns (year 2554).
    samples.push(i % 50 === 0 ? seed * 4_000 : samples[samples.length - 1] + (seed % 7000));
  }
  for (const ms of samples) {
    assert.equal(isoTime(`${ms}000000`), new Date(ms).toISOString(), String(ms));
  }
  assert.equal(isoTime(253_402_300_800_000 * 1e6), "+010000-01-01T00:00:00.000Z", "past 9999, as Date writes it");
});
