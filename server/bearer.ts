/**
 * Bearer tokens on the listeners' APIs: reading `Authorization: Bearer <token>`, and comparing a token with the
 * expected one in constant time (SHA-256 digests of both sides, so neither the content nor the length leaks through
 * timing).
 *
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";

/**
 * The token of `request`'s `Authorization: Bearer <token>` header, or undefined when there is none.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(bearerToken(new Request("http://x/", { headers: { authorization: "bearer abc " } })), "abc");
 * assert.equal(bearerToken(new Request("http://x/", { headers: { authorization: "Basic abc" } })), undefined);
 * ```
 */
export function bearerToken(request: Request): string | undefined {
  return /^Bearer[ \t]+([^ \t]+)[ \t]*$/i.exec(request.headers.get("authorization") ?? "")?.[1];
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Whether `given` is `token`, in constant time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const token = "t".repeat(43);
 * assert.equal(tokenMatches(token, token), true);
 * assert.equal(tokenMatches(token.slice(1), token), false);
 * assert.equal(tokenMatches(undefined, token), false);
 * ```
 */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (typeof given !== "string" || given === "") return false;
  return timingSafeEqual(digest(given), digest(token));
}
