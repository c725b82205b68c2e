import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm, truncate, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultCacheDir } from "../../query/cache_layout.ts";
import { DATASETS, LOGS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { datasetTable, partitionStatuses } from "../../query/partition_status.ts";
import { refreshAll, type RefreshEvent } from "../../query/refresh_all.ts";
import { MAX_PARTS } from "../../query/refresh_source.ts";
import { openSession } from "../../query/session.ts";
import { exposedEntries } from "../helpers/modes.ts";
import { jsonl, logRow, metricRow, spanRow, writeDay } from "./_fixtures.ts";

/** A sink root with helpers to refresh and to read back what the cache holds. */
async function fixture() {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-refresh-"));
  const cache = defaultCacheDir(root);
  const db = await openDb();
  const events: RefreshEvent[] = [];
  return {
    root,
    events,
    states: async () =>
      (await partitionStatuses(root, cache, DATASETS)).map((s) => [s.freshness.state, s.freshness.reason]),
    refresh: async (force = false) => {
      events.length = 0;
      const summary = await refreshAll(db, await partitionStatuses(root, cache, DATASETS), {
        force,
        onEvent: (e) => e.kind !== "bytes" && events.push(e),
      });
      return { written: summary.written, fresh: summary.fresh, rows: summary.rows, failures: summary.failures };
    },
    query: async (sql: string) => {
      const statuses = await partitionStatuses(root, cache, DATASETS);
      const session = await openSession(DATASETS.map((d) => datasetTable(d, statuses)), {}, [root]);
      try {
        return await (await session.query(sql)).getRowObjectsJson();
      } finally {
        session.close();
      }
    },
    close: async () => {
      db.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

test("refresh reads only new complete lines; a partial line waits", async () => {
  const f = await fixture();
  try {
    const file = await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    assert.deepEqual(await f.states(), [["missing", "cache cursor is missing"]]);
    assert.deepEqual(await f.refresh(), { written: 1, fresh: 0, rows: 2, failures: 0 });
    assert.deepEqual(await f.states(), [["fresh", ""]]);
    await appendFile(file, jsonl([logRow(2)]) + JSON.stringify(logRow(3)).slice(0, 20));
    assert.deepEqual(await f.states(), [["stale", "source size changed"]]);
    assert.deepEqual(await f.refresh(), { written: 1, fresh: 0, rows: 1, failures: 0 });
    // Only the partial line is new: fresh, nothing to read until its newline arrives.
    assert.deepEqual(await f.states(), [["fresh", ""]]);
    await appendFile(file, JSON.stringify(logRow(3)).slice(20) + "\n");
    assert.deepEqual(await f.refresh(), { written: 1, fresh: 0, rows: 1, failures: 0 });
    assert.deepEqual(await f.query("select body, severityNumber, timestamp from logs order by timestamp"), [
      { body: '"message 0"', severityNumber: 17, timestamp: "2025-03-01 12:00:00" },
      { body: '"message 1"', severityNumber: 9, timestamp: "2025-03-01 12:00:01" },
      { body: '"message 2"', severityNumber: 9, timestamp: "2025-03-01 12:00:02" },
      { body: '"message 3"', severityNumber: 17, timestamp: "2025-03-01 12:00:03" },
    ]);
    assert.deepEqual(await f.refresh(), { written: 0, fresh: 1, rows: 0, failures: 0 });
  } finally {
    await f.close();
  }
});

test("the cache is private: directories 0700, cursors and parts 0600", async () => {
  const f = await fixture();
  try {
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    await writeDay(f.root, { signal: "traces" }, jsonl([spanRow(0)]));
    assert.deepEqual(await f.refresh(), { written: 2, fresh: 0, rows: 3, failures: 0 });
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(2)]), "append");
    assert.deepEqual(await f.refresh(), { written: 1, fresh: 1, rows: 1, failures: 0 });
    assert.deepEqual(await f.refresh(true), { written: 2, fresh: 0, rows: 4, failures: 0 });
    assert.deepEqual(await exposedEntries(path.join(f.root, ".collectivus-query")), []);
  } finally {
    await f.close();
  }
});

test("truncation and rewrite start a new epoch; a deleted source stays queryable", async () => {
  const f = await fixture();
  try {
    const file = await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1), logRow(2)]));
    await f.refresh();
    await truncate(file, 0);
    await writeFile(file, jsonl([logRow(7)]));
    assert.deepEqual(await f.states(), [["stale", "source was truncated"]]);
    await f.refresh();
    assert.deepEqual(await f.query("select body from logs"), [{ body: '"message 7"' }]);
    // Same size, other content: a rewrite.
    await writeFile(file, jsonl([logRow(7, { body: "message 8" })]));
    assert.deepEqual(await f.states(), [["stale", "source was rewritten"]]);
    await f.refresh();
    assert.deepEqual(await f.query("select body from logs"), [{ body: '"message 8"' }]);
    await unlink(file);
    assert.deepEqual(await f.states(), [["fresh", ""]]);
    assert.deepEqual(await f.query("select count(*)::INTEGER as n from logs"), [{ n: 1 }]);
  } finally {
    await f.close();
  }
});

test("malformed lines are skipped with a warning naming file and line; 0-byte files are fine", async () => {
  const f = await fixture();
  try {
    const file = await writeDay(
      f.root,
      { signal: "logs" },
      jsonl([logRow(0)]) + "{oops\n\n[1,2]\n" + jsonl([logRow(1)]),
    );
    await writeDay(f.root, { signal: "traces" }, "");
    assert.deepEqual(await f.refresh(), { written: 2, fresh: 0, rows: 2, failures: 0 });
    const malformed = f.events.filter((e) => e.kind === "malformed").map((e) =>
      e.kind === "malformed" ? `${e.sourcePath}:${e.line.line}: ${e.line.reason.slice(0, 17)}` : ""
    );
    assert.deepEqual(malformed, [`${file}:2: Expected property`, `${file}:4: not a JSON object`]);
    assert.deepEqual(await f.query("select count(*)::INTEGER as n from traces"), [{ n: 0 }]);
    assert.deepEqual(await f.states(), [["fresh", ""], ["fresh", ""]]);
  } finally {
    await f.close();
  }
});

test("a 40 MiB line is read whole", async () => {
  const f = await fixture();
  try {
    const big = "x".repeat(40 * 1024 * 1024);
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0, { body: big }), logRow(1)]));
    assert.deepEqual(await f.refresh(), { written: 1, fresh: 0, rows: 2, failures: 0 });
    assert.deepEqual(await f.query("select length(body->>'$')::INTEGER as n from logs order by timestamp"), [
      { n: 40 * 1024 * 1024 },
      { n: 9 },
    ]);
  } finally {
    await f.close();
  }
});

test("typed columns for traces and metrics, JSON_VALUE on attribute bags", async () => {
  const f = await fixture();
  try {
    await writeDay(f.root, { signal: "traces" }, jsonl([spanRow(1), spanRow(4)]));
    await writeDay(f.root, { signal: "metrics" }, jsonl([metricRow(0), metricRow(1)]));
    await f.refresh();
    assert.deepEqual(
      await f.query(
        "select name, durationMs, JSON_VALUE(status, '$.code') as code, typeof(startTimestamp) as t from traces order by 1",
      ),
      [
        { name: "op-1", durationMs: 10, code: "0", t: "TIMESTAMP" },
        { name: "op-4", durationMs: 40, code: "2", t: "TIMESTAMP" },
      ],
    );
    assert.deepEqual(await f.query("select metricName, value, valueInt::INTEGER as vi from metrics order by 1"), [
      { metricName: "cpu.usage", value: 0, vi: null },
      { metricName: "requests", value: null, vi: 1001 },
    ]);
  } finally {
    await f.close();
  }
});

test("--force rebuilds as a new epoch with the same rows", async () => {
  const f = await fixture();
  try {
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    await f.refresh();
    assert.deepEqual(await f.refresh(true), { written: 1, fresh: 0, rows: 2, failures: 0 });
    const wrote = f.events.find((e) => e.kind === "wrote");
    assert.match(wrote?.kind === "wrote" ? wrote.path ?? "" : "", /^epoch=1\/part-0-/);
    assert.deepEqual(await f.query("select count(*)::INTEGER as n from logs"), [{ n: 2 }]);
    assert.equal(LOGS.columns.at(0)?.name, "gateway_id");
  } finally {
    await f.close();
  }
});

test("a partition refreshed many times merges its newest small parts and keeps the first one as it is", async () => {
  const f = await fixture();
  try {
    await writeDay(f.root, { signal: "logs" }, jsonl(Array.from({ length: 100 }, (_, i) => logRow(i))));
    await f.refresh();
    const cursorFile = path.join(
      defaultCacheDir(f.root),
      "datasets",
      "logs",
      "gateway_id=alice",
      "date=2025-03-01",
      "cursor.json",
    );
    const cursor = async () =>
      JSON.parse(await readFile(cursorFile, "utf8")) as { parts: { file: string; rows: number }[] };
    const [first] = (await cursor()).parts;
    for (let i = 100; i < 100 + MAX_PARTS; i++) {
      await writeDay(f.root, { signal: "logs" }, jsonl([logRow(i)]), "append");
      await f.refresh();
    }
    // One part more than MAX_PARTS: the 16 one-row parts became one, the first part was not rewritten.
    assert.deepEqual((await cursor()).parts.map((p) => p.rows), [100, MAX_PARTS]);
    assert.deepEqual((await cursor()).parts[0], first);
    assert.deepEqual(await f.query("select count(distinct body)::INTEGER as n from logs"), [{ n: 100 + MAX_PARTS }]);
  } finally {
    await f.close();
  }
});
