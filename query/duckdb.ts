/**
 * Opens an in-memory DuckDB (native, `@duckdb/node-api`) set up the way every part of the query engine expects:
 * UTC session time zone, no extension downloads, and a private folder of its own for what it spills to disk.
 *
 * @module
 */
import { type DuckDBConnection, DuckDBInstance } from "@duckdb/node-api";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

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
 * import { existsSync, statSync } from "node:fs";
 * const db = await openDb();
 * assert.deepEqual(await db.all("select 1 as x"), [{ x: 1 }]);
 * const [{ spill }] = await db.all("select current_setting('temp_directory') as spill");
 * assert.equal(statSync(String(spill)).mode & 0o777, 0o700);
 * db.close();
 * assert.equal(existsSync(String(spill)), false);
 * ```
 */
export async function openDb(): Promise<Db> {
  // DuckDB's default spill folder is `.tmp` in the working directory, which it also lets every query read (even with
  // external access off): user SQL could read whatever a `.tmp` folder there holds, and spilled recordings would land
  // there readable by others. A fresh folder of its own (0700), removed on close, holds nothing else. Where the temp
  // folder cannot be written (a read-only file system), nothing is spilled: a query then has the memory alone.
  const spill = privateFolder();
  let instance: DuckDBInstance;
  try {
    instance = await DuckDBInstance.create(":memory:", {
      autoinstall_known_extensions: "false",
      autoload_known_extensions: "false",
      temp_directory: spill ?? "",
    });
  } catch (err) {
    if (spill) rmSync(spill, { recursive: true, force: true });
    throw err;
  }
  const connection = await instance.connect();
  await connection.run("SET TimeZone = 'UTC'");
  return {
    connection,
    run: async (sql) => void await connection.run(sql),
    all: async (sql) => (await connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[],
    close: () => {
      connection.closeSync();
      instance.closeSync();
      if (spill) rmSync(spill, { recursive: true, force: true });
    },
  };
}

/** A new private folder (0700) in the temp folder, or undefined when none can be made there. */
function privateFolder(): string | undefined {
  try {
    return mkdtempSync(path.join(tmpdir(), "ctvs-duckdb-"));
  } catch {
    return undefined;
  }
}
