import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { jsonl, logRow, metricRow, spanRow, writeDay } from "../query/_fixtures.ts";

/** Logs 0-3, spans 0-5 and metric points 0-3 of one day, and a `q` that queries them as jsonl. */
async function setup() {
  const tmp = await tempDir("ctvs-query-views-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  await writeDay(root, { signal: "logs" }, jsonl([0, 1, 2, 3].map((i) => logRow(i))));
  await writeDay(root, { signal: "traces" }, jsonl([0, 1, 2, 3, 4, 5].map((i) => spanRow(i))));
  await writeDay(root, { signal: "metrics" }, jsonl([0, 1, 2, 3].map((i) => metricRow(i))));
  const run = (...args: string[]) => ctvs(["query", ...args, "--config", config]);
  /** The jsonl rows of a command, each reduced to `pick`'s columns. */
  const q = async (args: string[], pick: string[]) => {
    const r = await run(...args, "--format", "jsonl");
    assert.equal(r.code, 0, r.stderr);
    if (r.stdout === "") return [];
    return r.stdout.split("\n").map((l) => JSON.parse(l)).map((row) => pick.map((c) => row[c]));
  };
  return { ...tmp, root, run, q };
}

const T = (s: number) => `2025-03-01T12:00:0${s}.000Z`;

test("ctvs query traces, trace and sample", async () => {
  const s = await setup();
  try {
    assert.deepEqual(await s.q(["traces", "--limit", "3"], ["name", "startTimestamp", "durationMs"]), [
      ["op-5", T(5), 50],
      ["op-4", T(4), 40],
      ["op-3", T(3), 30],
    ]);
    assert.deepEqual(await s.q(["traces", "slow", "--limit", "2"], ["name", "durationMs"]), [["op-5", 50], [
      "op-4",
      40,
    ]]);
    assert.deepEqual(await s.q(["traces", "errors"], ["name", "status"]), [
      ["op-4", { code: 2, message: "boom" }],
      ["op-0", { code: 2, message: "boom" }],
    ]);
    assert.deepEqual(await s.q(["trace", `${"c".repeat(31)}1`], ["spanId", "parentSpanId", "attributes"]), [
      [`${"d".repeat(14)}01`, `${"d".repeat(14)}00`, { route: "/r/1" }],
      [`${"d".repeat(14)}04`, `${"d".repeat(14)}00`, { route: "/r/4" }],
    ]);
    const sample = await s.run("sample", "metrics", "--format", "jsonl");
    const rows = sample.stdout.split("\n").map((l) => JSON.parse(l));
    assert.equal(rows.length, 4);
    assert.equal(Object.keys(rows[0]).length, 34);
    const missing = await s.run("trace");
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: a trace id is required\n/);
    const badSub = await s.run("traces", "fast");
    assert.equal(badSub.code, 2);
    assert.match(badSub.stderr, /^error: unknown argument: fast\n/);
  } finally {
    await s.remove();
  }
});

test("ctvs query metrics list, series, latest, summary", async () => {
  const s = await setup();
  try {
    assert.deepEqual(await s.q(["metrics", "list"], ["metricName", "points"]), [["cpu.usage", 2], ["requests", 2]]);
    assert.deepEqual(await s.q(["metrics", "series", "requests"], ["timestamp", "value", "valueInt"]), [
      [T(1), null, 1001],
      [T(3), null, 1003],
    ]);
    assert.deepEqual(await s.q(["metrics", "latest"], ["metricName", "timestamp"]), [["requests", T(3)]]);
    assert.deepEqual(await s.q(["metrics", "latest", "cpu.usage"], ["timestamp", "value"]), [[T(2), 0.2], [T(0), 0]]);
    const summary = await s.run("metrics", "summary", "requests", "--format", "csv");
    assert.equal(
      summary.stdout,
      "points,min_value,max_value,avg_value,first_timestamp,last_timestamp\n" +
        `2,1001,1003,1002,${T(1)},${T(3)}`,
    );
    const none = await s.run("metrics");
    assert.equal(none.code, 2);
    assert.match(none.stderr, /^error: a metrics command \(list, series, latest, summary\) is required\n/);
    const noName = await s.run("metrics", "series");
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /^error: a metric name is required\n/);
  } finally {
    await s.remove();
  }
});

test("ctvs query activity, service and errors", async () => {
  const s = await setup();
  try {
    assert.deepEqual(await s.q(["activity", "--limit", "5"], ["signal", "timestamp", "serviceName", "detail"]), [
      ["traces", T(5), "api", "op-5"],
      ["traces", T(4), "api", "op-4"],
      ["logs", T(3), "worker", "ERROR"],
      ["metrics", T(3), "api", "requests"],
      ["traces", T(3), "api", "op-3"],
    ]);
    assert.deepEqual(await s.q(["service", "worker"], ["signal", "timestamp", "detail"]), [
      ["logs", T(3), "ERROR"],
      ["logs", T(1), "INFO"],
    ]);
    assert.deepEqual(await s.q(["errors"], ["signal", "timestamp", "detail"]), [
      ["traces", T(4), "op-4: boom"],
      ["logs", T(3), "message 3"],
      ["logs", T(0), "message 0"],
      ["traces", T(0), "op-0: boom"],
    ]);
    assert.deepEqual(await s.q(["errors", "--service", "worker"], ["signal", "detail"]), [["logs", "message 3"]]);
    const noName = await s.run("service");
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /^error: a service name is required\n/);
  } finally {
    await s.remove();
  }
});

test("ctvs query logs tail: reads the live JSONL (no cache), the newest n oldest first", async () => {
  const s = await setup();
  try {
    await writeDay(s.root, { signal: "logs", gw: "bob", date: "2025-03-02" }, "");
    const tail = await s.run("logs", "tail", "--limit", "2", "--format", "csv");
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(
      tail.stdout,
      "gateway_id,date,timestamp,severityText,serviceName,body,traceId,spanId\n" +
        `alice,2025-03-01,${T(2)},INFO,api,message 2,${"a".repeat(31)}2,${"b".repeat(15)}2\n` +
        `alice,2025-03-01,${T(3)},ERROR,worker,message 3,${"a".repeat(31)}3,${"b".repeat(15)}3`,
    );
    // A line still being written is not shown; nothing was cached.
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(4)]) + '{"body":"half', "append");
    assert.deepEqual(await s.q(["logs", "tail", "--limit", "1"], ["body"]), [["message 4"]]);
    assert.deepEqual(await s.q(["logs", "tail", "--service", "worker"], ["body"]), [["message 1"], ["message 3"]]);
    const status = await s.run("status", "--format", "csv");
    assert.equal(status.stdout.split("\n")[1], "logs,2,0,0,2,0");
    const empty = await s.run("logs", "tail", "--date", "2025-03-02", "--format", "csv");
    assert.deepEqual([empty.code, empty.stdout], [
      0,
      "gateway_id,date,timestamp,severityText,serviceName,body,traceId,spanId",
    ]);
  } finally {
    await s.remove();
  }
});
