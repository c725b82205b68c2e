import assert from "node:assert/strict";
import { test } from "node:test";
import { FAST_RETRY_MS, MAX_TIMER_MS, nextDailyRun, UploadScheduler } from "../../../server/upload/scheduler.ts";

/** A scheduler on a fake clock: timers are recorded and fired by hand. */
function fakeScheduler(results: ({ retry: boolean } | Error)[], start: string) {
  let now = Date.parse(start);
  const timers: { fn: () => void; ms: number }[] = [];
  const logs: string[] = [];
  let ticks = 0;
  const scheduler = new UploadScheduler({
    time: "00:10",
    tick: () => {
      const result = results[ticks++] ?? { retry: false };
      return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
    },
    log: (line) => logs.push(line),
    now: () => now,
    setTimer: (fn, ms) => timers.push({ fn, ms }),
    clearTimer: () => {},
  });
  const fire = async () => {
    const timer = timers.shift()!;
    now += timer.ms;
    timer.fn();
    await scheduler.running;
  };
  return { scheduler, timers, logs, fire, ticks: () => ticks };
}

test("nextDailyRun() is the next HH:MM UTC strictly after now", () => {
  assert.equal(nextDailyRun(new Date("2026-05-12T00:09:59Z"), "00:10").toISOString(), "2026-05-12T00:10:00.000Z");
  assert.equal(nextDailyRun(new Date("2026-05-12T00:10:00Z"), "00:10").toISOString(), "2026-05-13T00:10:00.000Z");
  assert.equal(nextDailyRun(new Date("2026-12-31T23:00:00Z"), "23:59").toISOString(), "2026-12-31T23:59:00.000Z");
});

test("UploadScheduler: a catch-up tick at start, then daily at time; 15 minutes after a failed tick", async () => {
  const boom = new Error("disk gone");
  const s = fakeScheduler([{ retry: false }, { retry: true }, boom, { retry: false }], "2026-05-12T08:00:00Z");
  s.scheduler.start();
  await s.scheduler.running;
  assert.equal(s.ticks(), 1);
  assert.deepEqual(s.timers.map((t) => t.ms), [
    Date.parse("2026-05-13T00:10:00Z") - Date.parse("2026-05-12T08:00:00Z"),
  ]);
  await s.fire();
  assert.equal(s.ticks(), 2);
  assert.deepEqual(s.timers.map((t) => t.ms), [FAST_RETRY_MS]);
  await s.fire();
  assert.deepEqual(s.logs, ["[collectivus] upload tick failed: disk gone"]);
  assert.deepEqual(s.timers.map((t) => t.ms), [FAST_RETRY_MS]);
  await s.fire();
  assert.equal(s.ticks(), 4);
  // Back to the daily time: 00:40 -> next day 00:10.
  assert.deepEqual(s.timers.map((t) => t.ms), [
    Date.parse("2026-05-14T00:10:00Z") - Date.parse("2026-05-13T00:40:00Z"),
  ]);
  await s.scheduler.stop();
});

test("UploadScheduler: timers stay under 2^31-1 ms, and a timer firing after stop runs no tick", async () => {
  const s = fakeScheduler([], "2026-05-12T08:00:00Z");
  s.scheduler.start();
  await s.scheduler.running;
  assert.ok(s.timers[0].ms <= MAX_TIMER_MS);
  await s.scheduler.stop();
  s.timers.shift()!.fn();
  assert.equal(s.ticks(), 1, "a timer that fires after stop runs no tick");
});
