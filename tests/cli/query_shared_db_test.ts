/**
 * SharedDb: a query process refreshes and queries in one DuckDB. It opens once, is closed by whoever owns it last, and
 * a session opened on it locks it down and closes it.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { SharedDb } from "../../cli/query/context.ts";
import { openSession } from "../../query/session.ts";

test("SharedDb opens once; close() closes it unless a session took it; the session locks it down", async () => {
  const idle = new SharedDb();
  await idle.close(); // never opened: nothing to do

  const shared = new SharedDb();
  const db = await shared.start();
  assert.equal(await shared.start(), db);
  await db.run("CREATE TABLE refreshed AS SELECT 1 AS x"); // what a refresh may do before the query
  const table = {
    name: "t",
    columns: [{ name: "x", type: "INTEGER" }],
    files: [],
    scope: {
      timestamps: [],
      services: [],
      partitioned: false,
    },
  };
  const session = await openSession([table], {}, ["/nonexistent-ctvs/root"], await shared.take());
  await shared.close(); // taken: the session owns it now
  assert.deepEqual(await (await session.query("select count(*)::INTEGER as n from t")).getRowObjectsJS(), [{ n: 0 }]);
  await assert.rejects(session.query("select * from read_text('/etc/hostname')"), /SQL may only read/);
  await assert.rejects(db.run("SET enable_external_access = true"), /configuration has been locked/);
  session.close();
  await assert.rejects(db.all("select 1"), /closed|disconnected|Connection/i);

  const unused = new SharedDb();
  const other = await unused.start();
  await unused.close();
  await assert.rejects(other.all("select 1"), /closed|disconnected|Connection/i);
});
