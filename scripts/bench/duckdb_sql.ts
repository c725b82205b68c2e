/**
 * DuckDB alone, as a process: opens an in-memory database the way `ctvs query` does, runs one SQL statement and
 * exits. The query benchmark's baseline for whole `ctvs query` processes (`deno run --allow-all duckdb_sql.ts "<sql>"`).
 *
 * @module
 */
import process from "node:process";
import { openDb } from "../../query/duckdb.ts";

const db = await openDb();
try {
  await db.all(process.argv[2]);
} finally {
  db.close();
}
