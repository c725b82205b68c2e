/**
 * `canonicalJson` (JSON.stringify with object keys sorted recursively, array order kept) and the 16-hex sha256
 * prefix the ids of `proxy_messages` are made of (reference §6.1).
 *
 * @module
 */
import { createHash } from "node:crypto";

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

/**
 * The first 16 hex characters of the sha256 of `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(shortHash("abc"), "ba7816bf8f01cfea");
 * ```
 */
export function shortHash(text: string): string {
  return createHash("sha256").update(text).digest("hex").slice(0, 16);
}
