import assert from "node:assert/strict";
import { appendFile, mkdtemp, readdir, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { defaultCacheDir } from "../../query/cache_layout.ts";
import { literal } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";
import { writePartitionParquet } from "../../query/write_partition_parquet.ts";
import { jsonl, logRow, metricRow, writeDay } from "./_fixtures.ts";

/** The temporary roots of this file's tests, removed when they are done. */
const roots: string[] = [];
after(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

async function tempRoot(): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-wpp-"));
  roots.push(root);
  return root;
}

/** Rows, column names/types and codecs of a Parquet file. */
async function readBack(file: string, sql = "SELECT * FROM t") {
  const db = await openDb();
  try {
    await db.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${literal(file)})`);
    const columns = (await db.all("DESCRIBE t")).map((r) => `${r.column_name} ${r.column_type}`);
    const codecs = (await db.all(`SELECT DISTINCT compression FROM parquet_metadata(${literal(file)})`))
      .map((r) => r.compression);
    const physical = (await db.all(`SELECT name, converted_type FROM parquet_schema(${literal(file)})`))
      .map((r) => `${r.name} ${r.converted_type}`);
    const rows = (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
    return { columns, codecs, physical, rows };
  } finally {
    db.close();
  }
}

for (const mode of ["cache", "direct"] as const) {
  test(`writePartitionParquet (${mode}): typed zstd Parquet of one partition, open line left out`, async () => {
    const root = await tempRoot();
    const options = mode === "cache" ? { cacheDir: defaultCacheDir(root) } : {};
    const source = await writeDay(root, { gw: "gw1", signal: "logs" }, jsonl([0, 1, 2].map((i) => logRow(i))));
    // A line still being written, and a malformed one, are not exported.
    await appendFile(source, 'not json\n{"serviceName":"half');
    const malformed: string[] = [];
    const out = path.join(root, "out", "data.parquet");
    const written = await writePartitionParquet(root, "gw1", "logs", "2025-03-01", out, {
      ...options,
      onMalformed: (file, line) => malformed.push(`${path.basename(file)}:${line.line}`),
    });
    assert.deepEqual(written, { rows: 3, bytes: (await stat(out)).size });
    assert.deepEqual(malformed, ["2025-03-01.jsonl:4"]);
    assert.deepEqual(await readdir(path.dirname(out)), ["data.parquet"]);
    const back = await readBack(out, 'SELECT gateway_id, serviceName, "timestamp", body, attributes FROM t');
    assert.equal(back.columns[0], "gateway_id VARCHAR");
    assert.equal(back.columns.length, 17);
    assert.ok(back.physical.includes("timestamp TIMESTAMP_MILLIS"));
    assert.ok(back.physical.includes("body JSON"));
    assert.ok(!back.columns.some((c) => c.startsWith("date ")));
    assert.deepEqual(back.codecs, ["ZSTD"]);
    assert.deepEqual(back.rows, [
      {
        gateway_id: "gw1",
        serviceName: "api",
        timestamp: "2025-03-01 12:00:00",
        body: '"message 0"',
        attributes: '{"http.method":"GET","n":0}',
      },
      {
        gateway_id: "gw1",
        serviceName: "worker",
        timestamp: "2025-03-01 12:00:01",
        body: '"message 1"',
        attributes: '{"http.method":"GET","n":1}',
      },
      {
        gateway_id: "gw1",
        serviceName: "api",
        timestamp: "2025-03-01 12:00:02",
        body: '"message 2"',
        attributes: '{"http.method":"GET","n":2}',
      },
    ]);
    // The line completes: the next write includes it.
    await appendFile(source, '"}\n');
    assert.equal((await writePartitionParquet(root, "gw1", "logs", "2025-03-01", out, options)).rows, 4);
  });
}

test("writePartitionParquet: v1 schema without gateway_id; metrics ints in valueInt; no rows writes no file", async () => {
  const root = await tempRoot();
  await writeDay(root, { signal: "metrics" }, jsonl([0, 1].map((i) => metricRow(i))));
  const out = path.join(root, "m.parquet");
  const written = await writePartitionParquet(root, "alice", "metrics", "2025-03-01", out, { gatewayIdColumn: false });
  assert.equal(written.rows, 2);
  const back = await readBack(out, "SELECT metricName, value, valueInt FROM t");
  assert.equal(back.columns[0], "serviceName VARCHAR");
  assert.equal(back.columns.length, 32);
  assert.deepEqual(back.rows, [
    { metricName: "cpu.usage", value: 0, valueInt: null },
    { metricName: "requests", value: null, valueInt: "1001" },
  ]);
  await writeDay(root, { signal: "traces" }, "\n\n");
  const none = path.join(root, "none.parquet");
  assert.deepEqual(await writePartitionParquet(root, "alice", "traces", "2025-03-01", none), { rows: 0, bytes: 0 });
  assert.deepEqual(await writePartitionParquet(root, "bob", "logs", "2025-03-01", none), { rows: 0, bytes: 0 });
  await assert.rejects(stat(none), /ENOENT/);
  await assert.rejects(writePartitionParquet(root, "alice", "spans", "2025-03-01", none), /unknown dataset "spans"/);
});

for (const mode of ["cache", "direct"] as const) {
  test(`writePartitionParquet (${mode}): lines past DuckDB's 16 MiB default are read whole, also when appended`, async () => {
    const root = await mkdtemp(path.join(tmpdir(), "ctvs-wpp-"));
    try {
      const options = mode === "cache" ? { cacheDir: defaultCacheDir(root) } : {};
      const mib = 1024 * 1024;
      const source = await writeDay(
        root,
        { gw: "gw1", signal: "logs" },
        jsonl([logRow(0), logRow(1, { body: "x".repeat(40 * mib) }), logRow(2)]),
      );
      const out = path.join(root, "out", "data.parquet");
      const lengths = "SELECT length(body->>'$')::INTEGER AS n FROM t ORDER BY \"timestamp\"";
      assert.equal((await writePartitionParquet(root, "gw1", "logs", "2025-03-01", out, options)).rows, 3);
      assert.deepEqual((await readBack(out, lengths)).rows, [{ n: 9 }, { n: 40 * mib }, { n: 9 }]);
      // The cache reads only the appended lines: their own longest line sizes that read.
      await appendFile(source, jsonl([logRow(3, { body: "y".repeat(20 * mib) })]));
      assert.equal((await writePartitionParquet(root, "gw1", "logs", "2025-03-01", out, options)).rows, 4);
      assert.deepEqual((await readBack(out, lengths)).rows, [{ n: 9 }, { n: 40 * mib }, { n: 9 }, { n: 20 * mib }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
}
