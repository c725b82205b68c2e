/**
 * A query session: an in-memory DuckDB whose tables are views over the cache's Parquet parts, with the scope
 * filters built in, then locked down so user SQL can only read: no file outside the cache and the recordings, no
 * settings changes (DuckDB `allowed_directories`, `enable_external_access`, `lock_configuration`).
 *
 * @module
 */
import type { DuckDBResult } from "@duckdb/node-api";
import { type ColumnType, ident, literal } from "./dataset.ts";
import { type Db, openDb } from "./duckdb.ts";
import { tooBroadReason } from "./broad_dir.ts";
import { prepareReadOnly, SqlRefusedError } from "./read_only_sql.ts";
import { type Scope, type ScopeColumns, scopeCondition } from "./scope.ts";

/** A table the session offers: a name, its columns, and the Parquet files holding its rows. */
export interface TableSource {
  name: string;
  columns: { name: string; type: ColumnType | string }[];
  files: string[];
  /** SELECTs of more rows with the same columns (uncached lines read from their JSONL: `query/in_place.ts`). */
  selects?: string[];
  scope: ScopeColumns;
  /** A column whose repeated values are one row: the view keeps the first (see `Dataset.uniqueKey`). */
  uniqueKey?: string;
}

/** An open session. */
export interface Session {
  db: Db;
  /** Runs one read-only SELECT (user SQL) and returns its streaming result. */
  query(sql: string): Promise<DuckDBResult>;
  close(): void;
}

/** The view body of a table: its files (and selects) filtered by the scope, or an empty typed relation. */
export function viewSql(table: TableSource, scope: Scope): string {
  const names = table.columns.map((c) => ident(c.name)).join(", ");
  const selects = table.selects ?? [];
  if (table.files.length === 0 && selects.length === 0) {
    const nulls = table.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(", ");
    return `SELECT ${nulls} WHERE FALSE`;
  }
  const parquet = table.files.length
    ? `read_parquet([${table.files.map(literal).join(", ")}], union_by_name = true)`
    : undefined;
  // The cached rows and the rows read in place, by column name (the selects name every column in order).
  const from = selects.length === 0
    ? parquet
    : `(${[...parquet ? [`SELECT ${names} FROM ${parquet}`] : [], ...selects].join(" UNION ALL ")})`;
  const select = `SELECT ${names} FROM ${from} WHERE ${scopeCondition(scope, table.scope)}`;
  if (!table.uniqueKey) return select;
  const key = ident(table.uniqueKey);
  const order = table.columns.some((c) => c.name === "date") ? ` ORDER BY "date"` : "";
  return `${select} QUALIFY ${key} IS NULL OR row_number() OVER (PARTITION BY ${key}${order}) = 1`;
}

/**
 * Opens a session over `tables`; `allowedDirs` are the only directories user SQL may read (the cache and root), and
 * none may be too broad (`tooBroadReason`: `/`, the home directory, ...; a RangeError says which). `db` is a database
 * to lock down and use (one already opened, e.g. for the refresh before the query); it is closed with the session, or
 * at once if the session cannot open. Without it, one is opened.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const table = { name: "t", columns: [{ name: "x", type: "INTEGER" }], files: [],
 *   scope: { timestamps: [], services: [], partitioned: false } };
 * const session = await openSession([table], {}, ["/nonexistent/recordings"]);
 * const result = await session.query("select count(*) as n from t");
 * assert.deepEqual((await result.getRowObjectsJS()), [{ n: 0n }]);
 * await assert.rejects(session.query("select * from read_text('/etc/passwd')"), /SQL may only read the recordings and the query cache/);
 * session.close();
 * ```
 */
export async function openSession(
  tables: TableSource[],
  scope: Scope,
  allowedDirs: string[],
  db?: Db,
): Promise<Session> {
  for (const dir of allowedDirs) {
    const reason = tooBroadReason(dir);
    if (reason) throw new RangeError(`Cannot let SQL read ${dir}: ${reason}, too broad a directory for user SQL`);
  }
  db ??= await openDb();
  try {
    for (const table of tables) await db.run(`CREATE VIEW ${ident(table.name)} AS ${viewSql(table, scope)}`);
    // How far a query is, for a progress line (`connection.progress`); DuckDB itself prints nothing.
    await db.run("SET enable_progress_bar = true");
    await db.run("SET enable_progress_bar_print = false");
    await db.run(`SET allowed_directories = [${allowedDirs.map(literal).join(", ")}]`);
    await db.run("SET enable_external_access = false");
    await db.run("SET lock_configuration = true");
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    db,
    query: async (sql) => {
      try {
        return await (await prepareReadOnly(db.connection, sql)).stream();
      } catch (err) {
        const message = (err as Error).message;
        if (!message.startsWith("Permission Error")) throw err;
        throw new SqlRefusedError(
          `SQL may only read the recordings and the query cache: ${
            message.split("\n")[0].replace(/^Permission Error: /, "")
          }`,
        );
      }
    },
    close: () => db.close(),
  };
}
