/**
 * `If-None-Match` against one ETag, in every form a client may send (RFC 9110 §13.1.2, weak comparison): `*`, a
 * strong `"<tag>"`, a weak `W/"<tag>"`, a comma-separated list of those, and the bare `<tag>` the original Central
 * sent and its gateways echo.
 *
 * @module
 */

/**
 * Whether `header` matches `etag` (the bare tag).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ifNoneMatchMatches('"abc"', "abc"), true);
 * assert.equal(ifNoneMatchMatches('W/"x", W/"abc"', "abc"), true);
 * assert.equal(ifNoneMatchMatches("abc", "abc"), true);
 * assert.equal(ifNoneMatchMatches("*", "abc"), true);
 * assert.equal(ifNoneMatchMatches('"abd"', "abc"), false);
 * assert.equal(ifNoneMatchMatches(undefined, "abc"), false);
 * ```
 */
export function ifNoneMatchMatches(header: string | null | undefined, etag: string): boolean {
  if (!header) return false;
  for (const raw of header.split(",")) {
    let tag = raw.trim();
    if (tag === "*") return true;
    if (tag.startsWith("W/")) tag = tag.slice(2);
    if (tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"')) tag = tag.slice(1, -1);
    if (tag === etag) return true;
  }
  return false;
}
