/**
 * The 16-hex sha256 prefix the ids of `proxy_messages` are made of (reference §6.1), over `canonicalJson` text
 * (re-exported from platform/).
 *
 * @module
 */
import { createHash } from "node:crypto";

export { canonicalJson } from "../../platform/canonical_json.ts";

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
