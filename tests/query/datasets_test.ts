/**
 * The built-in OTLP datasets against rows the receiver itself writes: every field of a log row has its column.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultCacheDir } from "../../query/cache_layout.ts";
import { DATASETS, LOGS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { datasetTable, partitionStatuses } from "../../query/partition_status.ts";
import { refreshAll } from "../../query/refresh_all.ts";
import { openSession } from "../../query/session.ts";
import { logRows } from "../../server/otlp/normalize/logs.ts";
import { jsonl, writeDay } from "./_fixtures.ts";

test("logs has an eventName column, read from the OTLP log record's eventName", async () => {
  const names = LOGS.columns.map((c) => c.name);
  assert.equal(names.indexOf("eventName"), names.indexOf("severityText") + 1, "in the row's field order");
  assert.equal(LOGS.columns.find((c) => c.name === "eventName")?.type, "VARCHAR");

  // Rows as the receiver writes them: one with an OTLP 1.5 event name, one (Claude Code's way) without.
  const rows: Record<string, unknown>[] = [];
  logRows({
    resourceLogs: [{
      scopeLogs: [{
        logRecords: [
          { timeUnixNano: "1740830400000000000", eventName: "browser.page_view", body: { stringValue: "a" } },
          {
            timeUnixNano: "1740830401000000000",
            body: { stringValue: "b" },
            attributes: [{ key: "event.name", value: { stringValue: "api_request" } }],
          },
        ],
      }],
    }],
  }, (row) => rows.push(row));

  const root = await mkdtemp(path.join(tmpdir(), "ctvs-datasets-"));
  const db = await openDb();
  try {
    await writeDay(root, { signal: "logs" }, jsonl(rows));
    const cache = defaultCacheDir(root);
    await refreshAll(db, await partitionStatuses(root, cache, DATASETS), { force: false });
    const statuses = await partitionStatuses(root, cache, DATASETS);
    const session = await openSession(DATASETS.map((d) => datasetTable(d, statuses)), {}, [root]);
    try {
      const result = await session.query(
        `select body, eventName, attributes->>'$."event.name"' as attr from logs order by timestamp`,
      );
      assert.deepEqual(await result.getRowObjectsJson(), [
        { body: '"a"', eventName: "browser.page_view", attr: null },
        { body: '"b"', eventName: null, attr: "api_request" },
      ]);
    } finally {
      session.close();
    }
  } finally {
    db.close();
    await rm(root, { recursive: true, force: true });
  }
});
