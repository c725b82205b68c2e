/**
 * Opens an in-memory DuckDB (native, `@duckdb/node-api`) set up the way every part of the query engine expects:
 * UTC session time zone, no extension downloads.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";

/** An open in-memory database and its one connection. */
export interface Db {
  connection: DuckDBConnection;
  /** Runs statements that return nothing of interest. */
  run(sql: string): Promise<void>;
  /** Runs a query and returns its rows as plain JS values. */
  all(sql: string): Promise<Record<string, unknown>[]>;
  close(): void;
}

/**
 * Opens an in-memory DuckDB.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const db = await openDb();
 * assert.deepEqual(await db.all("select 1 as x"), [{ x: 1 }]);
 * db.close();
 * ```
 */
export async function openDb(): Promise<Db> {
  const instance = await DuckDBInstance.create(":memory:", {
    autoinstall_known_extensions: "false",
    autoload_known_extensions: "false",
  });
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    run: async (sql) => void await connection.run(sql),
    all: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
