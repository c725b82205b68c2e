/**
 * Canonical JSON: `JSON.stringify` with every object's keys sorted, recursively, and array order kept, so equal content
 * gives equal text (and equal hashes) whatever its key order. Used for `proxy_messages` ids and for the configs the
 * Central server registers and their ETags.
 *
 * @module
 */

/**
 * Serializes `value` with every object's keys sorted, so equal content gives equal text whatever its key order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(canonicalJson({ b: [2, { d: 1, c: "x" }], a: null }), '{"a":null,"b":[2,{"c":"x","d":1}]}');
 * ```
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => v === undefined ? "null" : canonicalJson(v)).join(",")}]`;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(record[k])}`).join(",")}}`;
}
