/**
 * The gate in front of user SQL: exactly one statement, and a SELECT (a WITH ... SELECT, FROM-first, PIVOT and
 * UNION are SELECTs too). Anything else is refused with the reason. The session's DuckDB settings are the second
 * wall (no files outside the data, no settings changes), so a SELECT cannot reach out either.
 *
 * @module
 */
import { type DuckDBConnection, type DuckDBPreparedStatement, StatementType } from "@duckdb/node-api";

/** User SQL that is refused before it runs; the CLI exits 2 with its message. */
export class SqlRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SqlRefusedError";
  }
}

const PREFIX = "SQL must be a single read-only SELECT statement";

// Statements that are SELECTs (and so bind errors are real errors).
const SELECT_KEYWORDS = new Set(["select", "with", "from", "values", "pivot", "unpivot", "table", "("]);

function refused(kind: string): SqlRefusedError {
  return new SqlRefusedError(`${PREFIX}: ${kind} statements are not allowed (the query cache is read-only)`);
}

/** The first keyword of `sql`, comments skipped, lowercased (`(` for a parenthesized query). */
function leadingKeyword(sql: string): string {
  const text = sql.replace(/^(\s+|--[^\n]*\n?|\/\*[\s\S]*?\*\/)*/, "");
  return text.startsWith("(") ? "(" : (/^[A-Za-z_]+/.exec(text)?.[0] ?? "").toLowerCase();
}

/** Parses (without binding) and says whether `sql` is a SELECT: DuckDB serializes only SELECTs. */
async function isSelect(connection: DuckDBConnection, sql: string): Promise<boolean> {
  const reader = await connection.runAndReadAll("SELECT json_serialize_sql($1::VARCHAR) AS j", [sql]);
  const parsed = JSON.parse(String(reader.getRows()[0][0]));
  return parsed.error !== true || !/Only SELECT statements/i.test(String(parsed.error_message));
}

function kindOf(type: StatementType): string {
  return (StatementType[type] ?? "unknown").toLowerCase().replaceAll("_", " ");
}

/**
 * Parses and prepares `sql`, refusing anything but one SELECT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { openDb } from "./duckdb.ts";
 * const db = await openDb();
 * await assert.rejects(prepareReadOnly(db.connection, "drop table x"), /drop statements are not allowed/);
 * assert.ok(await prepareReadOnly(db.connection, "with a as (select 1) select * from a"));
 * db.close();
 * ```
 */
export async function prepareReadOnly(connection: DuckDBConnection, sql: string): Promise<DuckDBPreparedStatement> {
  const text = sql.trim();
  if (text === "") throw new SqlRefusedError("SQL query is required");
  let extracted;
  try {
    extracted = await connection.extractStatements(text);
  } catch (err) {
    throw new SqlRefusedError(`${PREFIX}: ${(err as Error).message.replace(/^Failed to extract statements: /, "")}`);
  }
  if (extracted.count !== 1) {
    throw new SqlRefusedError(`${PREFIX}: got ${extracted.count} statements; run them one at a time`);
  }
  // PRAGMA, CALL, SHOW, DESCRIBE and SUMMARIZE are rewritten into SELECTs; only a real SELECT or WITH passes.
  const keyword = leadingKeyword(text);
  if (!SELECT_KEYWORDS.has(keyword)) throw refused(keyword || "this");
  if (keyword === "with" && !await isSelect(connection, text)) {
    throw new SqlRefusedError(`${PREFIX}: a WITH must end in a SELECT (the query cache is read-only)`);
  }
  let prepared;
  try {
    prepared = await extracted.prepare(0);
  } catch (err) {
    throw err;
  }
  if (prepared.statementType !== StatementType.SELECT) throw refused(kindOf(prepared.statementType));
  return prepared;
}
