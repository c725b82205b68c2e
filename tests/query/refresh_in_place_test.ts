/**
 * A day file refreshed from its first byte is read by DuckDB in place (not copied first) when nothing is writing it;
 * when it grows while DuckDB reads it, the lines before the cursor are copied and read instead, so no line is read
 * twice or lost. New lines at an offset, and a file written moments ago, are always copied first.
 */
import assert from "node:assert/strict";
import { appendFile, mkdtemp, rm, stat, utimes } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultCacheDir } from "../../query/cache_layout.ts";
import { LOGS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { datasetTable, partitionStatuses } from "../../query/partition_status.ts";
import { partitionSpec } from "../../query/refresh_partition.ts";
import { refreshSource, type SourceSpec } from "../../query/refresh_source.ts";
import { openSession } from "../../query/session.ts";
import { jsonl, logRow, writeDay } from "./_fixtures.ts";

/** A logs day under a temporary root, refreshed through a spec that notes what each conversion read. */
async function fixture(text: string, ageSeconds: number) {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-in-place-"));
  const cache = defaultCacheDir(root);
  const file = await writeDay(root, { signal: "logs" }, text);
  const old = new Date(Date.now() - ageSeconds * 1000);
  await utimes(file, old, old);
  const db = await openDb();
  const inputs: string[] = [];
  /** `during` runs as a conversion starts, before DuckDB reads. */
  const spec = async (during?: (input: string) => Promise<void>): Promise<SourceSpec> => {
    const [{ partition }] = await partitionStatuses(root, cache, [LOGS]);
    const base = partitionSpec(partition);
    return {
      ...base,
      convert: async (db, input, output, context) => {
        inputs.push(input === file ? "source" : path.basename(input));
        await during?.(input);
        return await base.convert(db, input, output, context);
      },
    };
  };
  return {
    file,
    inputs,
    refresh: async (during?: (input: string) => Promise<void>) => await refreshSource(db, await spec(during)),
    bodies: async () => {
      const statuses = await partitionStatuses(root, cache, [LOGS]);
      const session = await openSession([datasetTable(LOGS, statuses)], {}, [root]);
      try {
        const rows = await (await session.query("select body from logs order by timestamp")).getRowObjectsJson();
        return rows.map((r) => JSON.parse(r.body as string));
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

test("a day file nobody is writing is read in place on its first refresh; new lines later are copied", async () => {
  const f = await fixture(jsonl([logRow(0), logRow(1)]) + "{oops\n" + jsonl([logRow(2)]), 60);
  try {
    const first = await f.refresh();
    assert.equal(first.rows, 3);
    assert.deepEqual(first.malformed.map((m) => m.line), [3], "a malformed line is named by its source line");
    await appendFile(f.file, jsonl([logRow(3)]));
    assert.equal((await f.refresh()).rows, 1);
    assert.deepEqual(f.inputs.map((i) => i.replace(/-.*/, "")), ["source", ".incoming"]);
    assert.deepEqual(await f.bodies(), ["message 0", "message 1", "message 2", "message 3"]);
  } finally {
    await f.close();
  }
});

test("a day file written moments ago is copied before it is read", async () => {
  const f = await fixture(jsonl([logRow(0)]), 0);
  try {
    assert.equal((await f.refresh()).rows, 1);
    assert.deepEqual(f.inputs.map((i) => i.replace(/-.*/, "")), [".incoming"]);
  } finally {
    await f.close();
  }
});

test("a day file that grows while DuckDB reads it in place is read again from a copy: no line twice, none lost", async () => {
  const f = await fixture(jsonl([logRow(0), logRow(1)]), 60);
  try {
    const size = (await stat(f.file)).size;
    const outcome = await f.refresh(async (input) => {
      if (input === f.file) await appendFile(f.file, jsonl([logRow(2)]));
    });
    assert.deepEqual(f.inputs.map((i) => i.replace(/-.*/, "")), ["source", ".incoming"]);
    assert.equal(outcome.rows, 2);
    assert.equal(outcome.cursor?.byte_offset, size, "the cursor stops where the lines read stop");
    assert.equal((await f.refresh()).rows, 1);
    assert.deepEqual(await f.bodies(), ["message 0", "message 1", "message 2"]);
  } finally {
    await f.close();
  }
});

test("a day file whose last line is still being written is copied up to its last complete line", async () => {
  const f = await fixture(jsonl([logRow(0)]) + JSON.stringify(logRow(1)).slice(0, 30), 60);
  try {
    assert.equal((await f.refresh()).rows, 1);
    assert.deepEqual(f.inputs.map((i) => i.replace(/-.*/, "")), [".incoming"]);
    assert.deepEqual(await f.bodies(), ["message 0"]);
  } finally {
    await f.close();
  }
});
