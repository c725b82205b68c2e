/**
 * The SQL that turns a JSONL file of one partition into a dataset's typed rows: `read_json` with the fields
 * declared (never inferred), each column computed from them, `gateway_id` and `date` from the partition.
 *
 * @module
 */
import { type Dataset, ident, literal } from "./dataset.ts";

/**
 * The largest JSON line DuckDB will read when the longest line is not known: LLM bodies carry whole conversations,
 * and 40 MiB lines happen. DuckDB reads in buffers of twice this size, so a conversion that knows its longest line
 * passes {@linkcode objectSizeFor} instead: with this, a 1 GB file is read into one buffer.
 */
export const MAX_OBJECT_BYTES = 1024 * 1024 * 1024;

/** DuckDB's default `maximum_object_size`, and the smallest it uses. */
export const MIN_OBJECT_BYTES = 16 * 1024 * 1024;

/**
 * The `maximum_object_size` for lines of at most `longest` bytes: the smallest DuckDB allows, or room for the longest
 * line. A line over the maximum fails the read (it is never cut), so the measure must cover every line read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(objectSizeFor(600), MIN_OBJECT_BYTES);
 * assert.equal(objectSizeFor(40 * 1024 * 1024), 40 * 1024 * 1024 + 1);
 * ```
 */
export function objectSizeFor(longest: number): number {
  return Math.max(MIN_OBJECT_BYTES, longest + 1);
}

/** The `read_json(...)` call for `file` with the dataset's fields declared. */
export function readJsonCall(
  dataset: Pick<Dataset, "fields">,
  file: string | string[],
  maxObjectBytes = MAX_OBJECT_BYTES,
): string {
  const columns = Object.entries(dataset.fields).map(([name, type]) => `${literal(name)}: '${type}'`).join(", ");
  const files = Array.isArray(file) ? `[${file.map(literal).join(", ")}]` : literal(file);
  return `read_json(${files}, format = 'newline_delimited', ignore_errors = true, ` +
    `maximum_object_size = ${maxObjectBytes}, columns = {${columns}})`;
}

/**
 * A SELECT of the dataset's columns from `file`. A malformed line comes out of `read_json` as all NULLs; the WHERE
 * drops such rows (the refresh counts them and names the lines).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOGS } from "./datasets.ts";
 * const sql = jsonlSelect(LOGS, "/r/a.jsonl", { gatewayId: "gw", date: "2025-03-01" });
 * assert.match(sql, /^SELECT 'gw' AS "gateway_id", "serviceName" AS "serviceName", /);
 * assert.match(sql, /DATE '2025-03-01' AS "date" FROM read_json\('\/r\/a.jsonl'/);
 * ```
 */
export function jsonlSelect(
  dataset: Dataset,
  file: string | string[],
  partition: { gatewayId: string; date: string },
  maxObjectBytes?: number,
): string {
  const columns = dataset.columns.map((c) => {
    if (c.name === "gateway_id") return `${literal(partition.gatewayId)} AS "gateway_id"`;
    if (c.name === "date") return `DATE ${literal(partition.date)} AS "date"`;
    return `${c.expr} AS ${ident(c.name)}`;
  });
  const anyField = Object.keys(dataset.fields).map((f) => `${ident(f)} IS NOT NULL`).join(" OR ");
  return `SELECT ${columns.join(", ")} FROM ${readJsonCall(dataset, file, maxObjectBytes)} WHERE ${anyField}`;
}
