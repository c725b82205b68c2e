/**
 * The per-start token of `ctvs ui`: 32 random bytes, base64url, required on every request; compared in constant
 * time (`server/bearer.ts`).
 *
 * @module
 */
import { randomBytes } from "node:crypto";

/** A fresh random token (43 base64url characters). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}

/** Whether a request carries the token: {@linkcode tokenMatches} is shared with the fleet's APIs. */
export { tokenMatches } from "../bearer.ts";
