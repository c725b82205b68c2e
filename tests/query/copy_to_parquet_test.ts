import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { copyToParquet, ROW_GROUP_BYTES } from "../../query/copy_to_parquet.ts";
import { literal } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";

test("copyToParquet() cuts row groups by size and puts the connection's settings back", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-copy-"));
  const db = await openDb();
  try {
    await db.run("SET threads = 2");
    const file = path.join(dir, "t.parquet");
    // 20,000 rows of 4 KiB: 80 MiB in memory, far fewer rows than DuckDB's 122,880-row default group.
    const rows = await copyToParquet(db, "SELECT range AS n, repeat('x', 4096) || range AS s FROM range(20000)", file);
    assert.equal(rows, 20000);
    const groups = await db.all(
      `SELECT row_group_id, any_value(row_group_num_rows)::INTEGER AS n FROM parquet_metadata(${literal(file)}) ` +
        "GROUP BY ALL ORDER BY ALL",
    );
    const expected = Math.ceil(20000 * 4096 / ROW_GROUP_BYTES);
    assert.ok(groups.length >= expected, `${groups.length} row groups, expected at least ${expected}`);
    assert.equal(groups.reduce((sum, g) => sum + Number(g.n), 0), 20000);
    assert.deepEqual(
      await db.all(`SELECT DISTINCT compression FROM parquet_metadata(${literal(file)})`),
      [{ compression: "ZSTD" }],
    );
    assert.deepEqual(
      await db.all(
        "SELECT current_setting('preserve_insertion_order') AS ordered, current_setting('threads')::INTEGER AS threads",
      ),
      [{ ordered: true, threads: 2 }],
    );
    // A copy on its own thread count, and one that fails, still put both settings back.
    await copyToParquet(db, "SELECT 1 AS n", file, { threads: 1, rowGroupRows: 2048 });
    await assert.rejects(copyToParquet(db, "SELECT * FROM no_such_table", file, { threads: 1 }), /no_such_table/);
    assert.deepEqual(
      await db.all(
        "SELECT current_setting('preserve_insertion_order') AS ordered, current_setting('threads')::INTEGER AS threads",
      ),
      [{ ordered: true, threads: 2 }],
    );
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});
