/**
 * The SELECT that reads a derivation's rows (`proxy_messages`, `llm_requests`) back as the dataset's typed columns:
 * the rows JSONL, with the columns written once per distinct value (if the derivation did so) joined back by their
 * `shared_id`.
 *
 * @module
 */
import { type Dataset, type DerivedRows, ident, SHARED_ID } from "./dataset.ts";
import { jsonlSelect, objectSizeFor, readJsonCall } from "./jsonl_select.ts";

/**
 * A SELECT of `dataset`'s columns, in order, from what its derivation wrote (`derived.files` and `derived.shared`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { PROXY_MESSAGES } from "./proxy_messages/dataset.ts";
 * const partition = { gatewayId: "gw", date: "2025-03-01" };
 * const shared = { file: "/c/s.jsonl", columns: ["system_text", "tools"], maxLineBytes: 100 };
 * const derived = { files: ["/c/r.jsonl"], rows: 1, maxLineBytes: 100, shared };
 * const sql = derivedSelect(PROXY_MESSAGES, partition, derived);
 * assert.match(sql, /REPLACE \(s."system_text" AS "system_text", s."tools" AS "tools"\)/);
 * assert.match(sql, /LEFT JOIN \(SELECT "shared_id", "system_text" AS "system_text", "tools" AS "tools" FROM read_json\('\/c\/s.jsonl'/);
 * ```
 */
export function derivedSelect(
  dataset: Dataset,
  partition: { gatewayId: string; date: string },
  derived: DerivedRows,
): string {
  const { shared } = derived;
  if (!shared) return jsonlSelect(dataset, derived.files, partition, objectSizeFor(derived.maxLineBytes));
  const key = ident(SHARED_ID);
  const rows = jsonlSelect(
    {
      ...dataset,
      columns: [...dataset.columns, { name: SHARED_ID, type: "VARCHAR", expr: key }],
      fields: { ...dataset.fields, [SHARED_ID]: "VARCHAR" },
    },
    derived.files,
    partition,
    objectSizeFor(derived.maxLineBytes),
  );
  const columns = dataset.columns.filter((c) => shared.columns.includes(c.name));
  const fields = Object.fromEntries([[SHARED_ID, "VARCHAR"], ...columns.map((c) => [c.name, dataset.fields[c.name]])]);
  const values = `SELECT ${key}, ${columns.map((c) => `${c.expr} AS ${ident(c.name)}`).join(", ")} ` +
    `FROM ${readJsonCall({ fields }, shared.file, objectSizeFor(shared.maxLineBytes))}`;
  const replace = columns.map((c) => `s.${ident(c.name)} AS ${ident(c.name)}`).join(", ");
  return `SELECT r.* EXCLUDE (${key}) REPLACE (${replace}) FROM (${rows}) r LEFT JOIN (${values}) s ` +
    `ON r.${key} = s.${key}`;
}
