/**
 * Renders rows computed in TypeScript (doctor, status, catalog, schema, logs tail) through the same renderer as
 * query results, so every format looks alike: the rows become a DuckDB VALUES relation.
 *
 * @module
 */
import { literal } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";
import type { Io } from "../io.ts";
import type { Format } from "./flags.ts";
import { render } from "./render.ts";

/** A cell of a computed row. */
export type RowCell = string | number | boolean | null;

/** A column of computed rows: its name and DuckDB type. */
export type RowColumn = [name: string, type: "VARCHAR" | "BIGINT" | "BOOLEAN" | "JSON" | "TIMESTAMP" | "DATE"];

function cellSql(value: RowCell, type: string): string {
  if (value === null) return `CAST(NULL AS ${type})`;
  return `CAST(${typeof value === "string" ? literal(value) : String(value)} AS ${type})`;
}

/** The SELECT of `rows` in order (an ordinal keeps VALUES in the given order). */
export function rowsSql(columns: RowColumn[], rows: RowCell[][]): string {
  const names = columns.map(([n]) => `"${n.replaceAll('"', '""')}"`);
  if (rows.length === 0) {
    return `SELECT ${columns.map(([, t], i) => `CAST(NULL AS ${t}) AS ${names[i]}`).join(", ")} WHERE FALSE`;
  }
  const values = rows.map((row, r) => `(${[r, ...row.map((v, i) => cellSql(v, columns[i][1]))].join(", ")})`);
  return `SELECT ${names.join(", ")} FROM (VALUES ${values.join(", ")}) t("_ord", ${names.join(", ")}) ORDER BY "_ord"`;
}

/** Prints `rows` in `format`. */
export async function renderRows(
  columns: RowColumn[],
  rows: RowCell[][],
  format: Format,
  io: Io,
  limit?: number,
): Promise<void> {
  const db = await openDb();
  try {
    await render(await db.connection.stream(rowsSql(columns, rows)), format, io, limit);
  } finally {
    db.close();
  }
}
