/**
 * Collection table and column names (reference §7.4): free text normalized into a plain SQL identifier, so
 * `My Events.jsonl` is queried as `my_events_jsonl` and a field `user-id` as `user_id`.
 *
 * @module
 */

const RESERVED = new Set(
  ("all and as by distinct false from group having join limit not null offset on or order select true union " +
    "where with").split(" "),
);

/**
 * Normalizes `text` into an identifier: lowercase, runs of other characters as one `_`, no leading or trailing `_`;
 * empty becomes `collection` (or `field`), a leading digit gets `_`, a reserved word gets `_table` (or `_field`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(normalizeName(" My Events!! 2024 ", "table"), "my_events_2024");
 * assert.equal(normalizeName("9lives", "field"), "_9lives");
 * assert.equal(normalizeName("select", "table"), "select_table");
 * assert.equal(normalizeName("---", "field"), "field");
 * ```
 */
export function normalizeName(text: string, kind: "table" | "field"): string {
  let name = text.trim().toLowerCase().replace(/[^a-z0-9_]+/g, "_").replace(/_+/g, "_").replace(/^_+|_+$/g, "");
  if (name === "") name = kind === "table" ? "collection" : "field";
  if (/^[0-9]/.test(name)) name = `_${name}`;
  if (RESERVED.has(name)) name = `${name}_${kind}`;
  return name;
}

/** `name`, or `name_2`, `name_3`, ... whichever is not in `taken`; the result is added to `taken`. */
export function uniqueName(name: string, taken: Set<string>): string {
  let candidate = name;
  for (let n = 2; taken.has(candidate); n++) candidate = `${name}_${n}`;
  taken.add(candidate);
  return candidate;
}
