/**
 * Renders a query result as table, json, jsonl, markdown or csv (reference §2.8). Rows are streamed: json, jsonl
 * and csv print every row (or `--limit`), table and markdown show at most {@link TABLE_CAP} rows and say so.
 * In json and jsonl, JSON columns come out as nested values, timestamps as ISO strings.
 *
 * @module
 */
import { type DuckDBResult, DuckDBTypeId } from "@duckdb/node-api";
import type { Io } from "../io.ts";
import { displayWidth, fitText, loadTextWidths, padToWidth } from "./fit_text.ts";
import { type Format, TABLE_CAP } from "./flags.ts";

/** A column of a result and how to present its cells. */
export interface ColumnInfo {
  name: string;
  json: boolean;
  date: boolean;
}

/** A rendered cell: a plain JSON value. */
type Cell = string | number | boolean | null | Cell[] | { [key: string]: Cell };

function plain(value: unknown, column: ColumnInfo, nested: boolean): Cell {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return column.date ? value.toISOString().slice(0, 10) : value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (typeof value === "string") {
    if (!column.json) return value;
    try {
      // Nested formats get the value; flat ones the text, a JSON string shown without its quotes.
      const parsed = JSON.parse(value);
      return nested ? parsed : typeof parsed === "string" ? parsed : value;
    } catch {
      return value;
    }
  }
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((v) => plain(v, { ...column, json: false }, true));
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v, { ...column, json: false }, true)]));
  }
  return String(value);
}

function text(cell: Cell): string {
  if (cell === null) return "";
  return typeof cell === "object" ? JSON.stringify(cell) : String(cell);
}

function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

/** The columns of a result. */
export function columnsOf(result: DuckDBResult): ColumnInfo[] {
  const types = result.columnTypes();
  return result.columnNames().map((name, i) => ({
    name,
    json: (types[i] as { alias?: string }).alias === "JSON",
    date: types[i].typeId === DuckDBTypeId.DATE,
  }));
}

/**
 * Yields the result's rows as plain cells, stopping after `limit`; `nested` keeps JSON columns as values (json, jsonl,
 * `ctvs ui`), otherwise they are their text (table, csv).
 */
export async function* rowsOf(result: DuckDBResult, columns: ColumnInfo[], nested: boolean, limit: number) {
  let n = 0;
  for await (const chunk of result.yieldRowsJs()) {
    for (const row of chunk) {
      if (n++ >= limit) return;
      yield row.map((v, i) => plain(v, columns[i], nested));
    }
  }
}

/** Writes a text table or markdown table of `rows`. */
function grid(columns: ColumnInfo[], rows: Cell[][], markdown: boolean, io: Io): void {
  const max = markdown ? 10_000 : 80;
  const names = columns.map((c) => fitText(c.name, max));
  const cells = rows.map((row) => row.map((c) => fitText(text(c), max)));
  if (markdown) {
    const esc = (s: string) => s.replaceAll("|", "\\|");
    io.out(`| ${names.map(esc).join(" | ")} |`);
    io.out(`| ${columns.map(() => "---").join(" | ")} |`);
    for (const row of cells) io.out(`| ${row.map(esc).join(" | ")} |`);
    return;
  }
  const widths = names.map((name, i) => Math.max(displayWidth(name), ...cells.map((r) => displayWidth(r[i]))));
  io.out(names.map((name, i) => padToWidth(name, widths[i])).join("  ").trimEnd());
  io.out(widths.map((w) => "-".repeat(w)).join("  "));
  for (const row of cells) io.out(row.map((c, i) => padToWidth(c, widths[i])).join("  ").trimEnd());
}

/** What a spreadsheet takes for the start of a formula (OWASP's list for CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A text cell a spreadsheet would run as a formula, with a leading `'` so it shows as text; other cells as they are. */
function spreadsheetText(cell: Cell): string {
  const value = text(cell);
  return typeof cell === "string" && FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * Yields `result` as CSV lines (no newline), the header first. `forSpreadsheet` (a download from `ctvs ui`, opened in a
 * spreadsheet more often than read by a program) puts `'` before a text cell starting with `=`, `+`, `-`, `@`, a tab
 * or a CR, so recorded text such as `=HYPERLINK(...)` is shown, not run. Numbers are never changed.
 */
export async function* csvLines(result: DuckDBResult, forSpreadsheet = false): AsyncGenerator<string> {
  const columns = columnsOf(result);
  const cellText = forSpreadsheet ? spreadsheetText : text;
  yield columns.map((c) => csvField(forSpreadsheet ? spreadsheetText(c.name) : c.name)).join(",");
  for await (const row of rowsOf(result, columns, false, Number.POSITIVE_INFINITY)) {
    yield row.map((c) => csvField(cellText(c))).join(",");
  }
}

/**
 * Prints `result` in `format`. `limit` caps every format; table and markdown are also capped at 100 rows.
 * Resolves with the number of rows printed.
 */
export async function render(result: DuckDBResult, format: Format, io: Io, limit?: number): Promise<number> {
  const columns = columnsOf(result);
  const max = limit ?? Number.POSITIVE_INFINITY;
  let n = 0;
  if (format === "table" || format === "markdown") {
    const rows: Cell[][] = [];
    const cap = Math.min(max, TABLE_CAP);
    for await (const row of rowsOf(result, columns, false, cap + 1)) rows.push(row);
    const capped = rows.length > cap;
    if (capped) rows.pop();
    await loadTextWidths([...columns.map((c) => c.name), ...rows.flatMap((row) => row.map(text))]);
    grid(columns, rows, format === "markdown", io);
    if (capped && cap === TABLE_CAP) {
      io.out(`(showing the first ${TABLE_CAP} rows; use --format jsonl or csv for every row)`);
    } else if (format === "table") {
      io.out(`(${rows.length} row${rows.length === 1 ? "" : "s"})`);
    }
    return rows.length;
  }
  if (format === "csv") {
    for await (const line of csvLines(result)) {
      if (n++ > max) break;
      io.out(line);
    }
    return Math.max(0, n - 1);
  }
  if (format === "json") io.out("[");
  let previous: string | undefined;
  for await (const row of rowsOf(result, columns, true, max)) {
    n++;
    const object = JSON.stringify(Object.fromEntries(columns.map((c, i) => [c.name, row[i]])));
    if (format === "jsonl") io.out(object);
    else {
      // One row behind, so the last one is printed without a trailing comma.
      if (previous !== undefined) io.out(`  ${previous},`);
      previous = object;
    }
  }
  if (format === "json") {
    if (previous !== undefined) io.out(`  ${previous}`);
    io.out("]");
  }
  return n;
}
