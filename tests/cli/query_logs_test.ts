import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { jsonl, logRow, writeDay } from "../query/_fixtures.ts";

test("ctvs query logs: newest first with the scope filters; logs count; a bad argument exits 2", async () => {
  const tmp = await tempDir("ctvs-query-logs-");
  try {
    const root = path.join(tmp.dir, "rec");
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    await writeDay(root, { signal: "logs" }, jsonl([logRow(0), logRow(1), logRow(2), logRow(3)]));
    await writeDay(root, { signal: "logs", gw: "bob", date: "2025-03-02" }, jsonl([logRow(4)]));
    const q = (...args: string[]) => ctvs(["query", "logs", ...args, "--config", config]);
    const newest = await q("--format", "jsonl", "--limit", "2", "--service", "api");
    assert.equal(newest.code, 0, newest.stderr);
    assert.deepEqual(newest.stdout.split("\n").map((l) => JSON.parse(l)).map((r) => [r.gateway_id, r.body]), [
      ["bob", "message 4"],
      ["alice", "message 2"],
    ]);
    const scoped = await q(
      "--format",
      "csv",
      "--gateway-id",
      "alice",
      "--from",
      "2025-03-01T12:00:01Z",
      "--to",
      "2025-03-01T12:00:02Z",
    );
    assert.equal(
      scoped.stdout,
      "gateway_id,date,timestamp,severityText,serviceName,body,traceId,spanId\n" +
        `alice,2025-03-01,2025-03-01T12:00:02.000Z,INFO,api,message 2,${"a".repeat(31)}2,${"b".repeat(15)}2\n` +
        `alice,2025-03-01,2025-03-01T12:00:01.000Z,INFO,worker,message 1,${"a".repeat(31)}1,${"b".repeat(15)}1`,
    );
    assert.equal((await q("count", "--format", "jsonl", "--date", "2025-03-01")).stdout, '{"count":4}');
    const bad = await q("nope");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: unknown argument: nope\n/);
  } finally {
    await tmp.remove();
  }
});
