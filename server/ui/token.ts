/**
 * The per-start token of `ctvs ui`: 32 random bytes, base64url, required on every request; compared in constant
 * time (SHA-256 digests of both sides, so neither the content nor the length leaks through timing).
 *
 * @module
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** A fresh random token (43 base64url characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

/**
 * Whether `given` is the token, in constant time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const token = newToken();
 * assert.equal(tokenMatches(token, token), true);
 * assert.equal(tokenMatches(token.slice(1), token), false);
 * assert.equal(tokenMatches(undefined, token), false);
 * ```
 */
export function tokenMatches(given: string | undefined | null, token: string): boolean {
  if (typeof given !== "string" || given === "") return false;
  return timingSafeEqual(digest(given), digest(token));
}
