/**
 * A day the cache lacks, read in place (`query/in_place.ts`), gives exactly the rows and column types its cache gives
 * once refreshed: logs, traces and metrics, with malformed lines and a line still being written; new lines after the
 * cursor are read from a copy beside the cached parts; a line that could make a row before its newline, and a line
 * longer than DuckDB's default read buffer, are handled as a refresh handles them.
 */
import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultCacheDir, inPlaceDir } from "../../query/cache_layout.ts";
import type { Dataset } from "../../query/dataset.ts";
import { LOGS, METRICS, TRACES } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { discardInPlace, readInPlace, uncachedBytes } from "../../query/in_place.ts";
import { datasetTable, type PartitionStatus, partitionStatuses } from "../../query/partition_status.ts";
import { refreshAll } from "../../query/refresh_all.ts";
import { openSession } from "../../query/session.ts";
import { jsonl, logRow, metricRow, spanRow, writeDay } from "./_fixtures.ts";

type Row = (i: number, overrides?: Record<string, unknown>) => Record<string, unknown>;
const CASES: [Dataset, Row][] = [[LOGS, logRow], [TRACES, spanRow], [METRICS, metricRow]];

/** Malformed lines of every kind a refresh drops, between good ones. */
function dayWithBadLines(row: Row, from = 0): string {
  return jsonl([row(from), row(from + 1)]) +
    "{oops\n" + // not JSON
    "[1,2]\n" + // not an object
    "\n" + // blank
    "{}\n" + // an object with none of the fields
    `${JSON.stringify(row(from + 2)).slice(0, 25)}\n` + // cut inside a string, then a newline
    jsonl([row(from + 3, { serviceName: 42, severityNumber: "high", kind: "x" }), row(from + 4)]);
}

async function fixture(dataset: Dataset) {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-in-place-"));
  const cache = defaultCacheDir(root);
  const db = await openDb();
  const statuses = () => partitionStatuses(root, cache, [dataset]);
  /** Every row (ordered by all columns) and the column types of a session over `list`. */
  const read = async (list: PartitionStatus[]) => {
    const session = await openSession([datasetTable(dataset, list)], {}, [root, cache]);
    try {
      const rows = await (await session.query(`select * from ${dataset.name} order by all`)).getRowObjectsJson();
      const types = await (await session.query(`select * from (describe ${dataset.name})`)).getRowObjectsJson();
      return { rows, types: types.map((t) => `${t.column_name} ${t.column_type}`) };
    } finally {
      session.close();
    }
  };
  return {
    root,
    cache,
    statuses,
    /** Reads every partition that is not fresh in place, then discards the copies. */
    inPlace: async () => {
      const list = await statuses();
      for (const s of list) if (s.freshness.state !== "fresh") s.inPlace = await readInPlace(s, inPlaceDir(cache));
      try {
        return { ...await read(list), reads: list.map((s) => s.inPlace) };
      } finally {
        await discardInPlace(list.map((s) => s.inPlace));
      }
    },
    refresh: async () => {
      const summary = await refreshAll(db, await statuses());
      assert.equal(summary.failures, 0);
    },
    cached: async () => await read(await statuses()),
    close: async () => {
      db.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

for (const [dataset, row] of CASES) {
  test(`${dataset.name}: a day read in place equals its cache, malformed lines and a line being written included`, async () => {
    const f = await fixture(dataset);
    try {
      // The line being written has no `}` yet: DuckDB drops it as it drops a malformed line.
      await writeDay(f.root, { signal: dataset.signal }, dayWithBadLines(row) + JSON.stringify(row(9)).slice(0, 12));
      const [status] = await f.statuses();
      assert.equal(status.freshness.state, "missing");
      assert.ok(await uncachedBytes(status) > 0);
      const inPlace = await f.inPlace();
      assert.equal(inPlace.reads[0]?.copy, undefined, "read in place, not copied");
      // Its lines are short: found without measuring each, DuckDB's default buffer holds them.
      assert.match(inPlace.reads[0]!.select!, /maximum_object_size = 16777216,/);
      assert.equal(inPlace.rows.length, 4, JSON.stringify(inPlace.rows));
      await f.refresh();
      const cached = await f.cached();
      assert.deepEqual(inPlace.types, cached.types);
      assert.deepEqual(inPlace.rows, cached.rows);
    } finally {
      await f.close();
    }
  });

  test(`${dataset.name}: new lines after the cursor are read from a copy beside the cached parts`, async () => {
    const f = await fixture(dataset);
    try {
      const file = await writeDay(f.root, { signal: dataset.signal }, dayWithBadLines(row));
      await f.refresh();
      await appendFile(file, dayWithBadLines(row, 10) + JSON.stringify(row(19)).slice(0, 30));
      const inPlace = await f.inPlace();
      const read = inPlace.reads[0]!;
      assert.equal(read.parts.length, 1, "the cached part is kept");
      assert.ok(read.copy?.startsWith(inPlaceDir(f.cache)), read.copy);
      assert.deepEqual(await readdir(inPlaceDir(f.cache)), [], "the copy is removed once discarded");
      assert.equal(inPlace.rows.length, 8);
      await f.refresh();
      assert.deepEqual(inPlace.rows, (await f.cached()).rows);
    } finally {
      await f.close();
    }
  });
}

test("a last line that could make a row before its newline is not read: the complete lines are copied", async () => {
  const f = await fixture(LOGS);
  try {
    // A whole record without its newline: a refresh leaves it for later, so the query must too.
    const file = await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]) + JSON.stringify(logRow(2)));
    const inPlace = await f.inPlace();
    assert.ok(inPlace.reads[0]?.copy, "copied");
    assert.deepEqual(inPlace.rows.map((r) => r.body), ['"message 0"', '"message 1"']);
    await f.refresh();
    assert.deepEqual(inPlace.rows, (await f.cached()).rows);
    // Once its newline comes, the day is read in place again (a rebuild reads from the first byte).
    await appendFile(file, "\n");
    await rm(f.cache, { recursive: true });
    const again = await f.inPlace();
    assert.equal(again.reads[0]?.copy, undefined);
    assert.equal(again.rows.length, 3);
  } finally {
    await f.close();
  }
});

test("a day whose cache must be rebuilt is read from its first byte, without the old parts", async () => {
  const f = await fixture(LOGS);
  try {
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    await f.refresh();
    // Rewritten: another file of the same day, longer, with other first bytes.
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(5), logRow(6), logRow(7)]));
    const [status] = await f.statuses();
    assert.deepEqual([status.freshness.state, status.freshness.rebuild], ["stale", true]);
    const inPlace = await f.inPlace();
    assert.deepEqual(inPlace.reads[0]?.parts, []);
    assert.deepEqual(inPlace.rows.map((r) => r.body).sort(), ['"message 5"', '"message 6"', '"message 7"']);
    await f.refresh();
    assert.deepEqual(inPlace.rows, (await f.cached()).rows);
  } finally {
    await f.close();
  }
});

test("a line longer than DuckDB's default read buffer (16 MiB) is read in place with a buffer that holds it", async () => {
  const f = await fixture(LOGS);
  try {
    const long = logRow(1, { body: "x".repeat(17 * 1024 * 1024) });
    await writeDay(f.root, { signal: "logs" }, jsonl([logRow(0), long, logRow(2)]));
    const inPlace = await f.inPlace();
    assert.equal(inPlace.reads[0]?.copy, undefined);
    assert.match(inPlace.reads[0]!.select!, /maximum_object_size = 178\d{5},/);
    const lengths = inPlace.rows.map((r) => String(r.body).length).sort((a, b) => a - b);
    assert.deepEqual(lengths, [11, 11, 17 * 1024 * 1024 + 2]);
  } finally {
    await f.close();
  }
});

test("an empty day file read in place gives no rows and the dataset's types", async () => {
  const f = await fixture(METRICS);
  try {
    await writeDay(f.root, { signal: "metrics" }, "");
    await writeFile(path.join(f.root, "alice", "metrics", "2025-03-02.jsonl"), jsonl([metricRow(0)]));
    const inPlace = await f.inPlace();
    assert.equal(inPlace.rows.length, 1);
    await f.refresh();
    assert.deepEqual(inPlace, { ...await f.cached(), reads: inPlace.reads });
  } finally {
    await f.close();
  }
});
