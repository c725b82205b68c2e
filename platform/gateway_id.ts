/**
 * Gateway ids: the name of the directory a host's recordings go to (`<sink>/<gateway_id>/<signal>/<date>.jsonl`),
 * so they must be safe as a single path segment.
 *
 * @module
 */
import os from "node:os";
import process from "node:process";
import type { Config } from "./config/types.ts";

/** What a gateway id looks like: a letter or digit, then letters, digits and `._+@-` (so e-mail addresses fit). */
export const GATEWAY_ID_PATTERN: RegExp = /^[A-Za-z0-9][A-Za-z0-9._+@-]*$/;

/** The longest gateway id accepted. */
export const GATEWAY_ID_MAX_LENGTH = 128;

/** The directory name used when no usable id can be derived (deliberately outside the pattern: never configured). */
export const FALLBACK_GATEWAY_ID = "_unknown";

/**
 * Tells whether `value` is a string of 1 to 128 characters matching {@linkcode GATEWAY_ID_PATTERN}.
 *
 * @param value Anything.
 * @returns True for a valid gateway id.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isValidGatewayId("ada.lovelace+dev@example.com"), true);
 * assert.equal(isValidGatewayId(".hidden"), false);
 * ```
 */
export function isValidGatewayId(value: unknown): value is string {
  return typeof value === "string" && value.length > 0 && value.length <= GATEWAY_ID_MAX_LENGTH &&
    GATEWAY_ID_PATTERN.test(value);
}

/**
 * Turns any string into a valid gateway id: characters outside `[A-Za-z0-9._+@-]` become `_`, leading characters
 * that are not a letter or digit are dropped, and the result is cut to 128 characters. Returns `_unknown` when
 * nothing is left.
 *
 * @param raw A user name or any other candidate.
 * @returns A valid gateway id, or `_unknown`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sanitizeGatewayId("CORP\\Ada Lovelace"), "CORP_Ada_Lovelace");
 * assert.equal(sanitizeGatewayId("..."), "_unknown");
 * ```
 */
export function sanitizeGatewayId(raw: string): string {
  const replaced = raw.replace(/[^A-Za-z0-9._+@-]/gu, "_");
  const trimmed = replaced.replace(/^[^A-Za-z0-9]+/, "").slice(0, GATEWAY_ID_MAX_LENGTH);
  return trimmed.length > 0 ? trimmed : FALLBACK_GATEWAY_ID;
}

/**
 * The gateway id of a standalone process: `config.gateway_id` when set, else the sanitized OS user name
 * (`os.userInfo()`, then the `USER` or `USERNAME` environment variable), else `_unknown`. Gateway and server roles take
 * the id from the JWT instead and do not call this.
 *
 * @param config A validated config.
 * @param username The user name to use instead of asking the OS (tests, or a caller that already knows it).
 * @returns The gateway id; resolve it once at boot.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(resolveGatewayId({ version: 1, gateway_id: "lab-1" }), "lab-1");
 * assert.equal(resolveGatewayId({ version: 1 }, "Ada Lovelace"), "Ada_Lovelace");
 * ```
 */
export function resolveGatewayId(config: Config, username?: string): string {
  if (config.gateway_id !== undefined) return config.gateway_id;
  return sanitizeGatewayId(username ?? osUsername());
}

/** The current user's name from the OS, then the environment; empty when neither knows. */
function osUsername(): string {
  try {
    const name = os.userInfo().username;
    if (name) return name;
  } catch {
    // No passwd entry (containers with arbitrary uids) or no permission: fall through to the environment.
  }
  return process.env.USER || process.env.USERNAME || "";
}
