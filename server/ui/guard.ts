/**
 * The gate in front of every `ctvs ui` route: the caller must be on loopback (unless the UI was started with
 * `--allow-remote`), the `Host` header must name a loopback host (so a DNS-rebound page on another name cannot
 * reach it), and the request must carry the per-start token (`X-Ctvs-Token` header, or `?token=` for the page,
 * its assets and downloads).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { clientAddress, isLoopback } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { tokenMatches } from "./token.ts";

/** How the gate is set. */
export interface GuardOptions {
  token: string;
  /** Serve callers that are not on loopback, with any Host header (`--allow-remote`). */
  allowRemote: boolean;
}

/** The header an API call carries the token in. */
export const TOKEN_HEADER = "x-ctvs-token";

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

/**
 * Whether a `Host` header names this machine's loopback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(loopbackHost("127.0.0.1:8080"), true);
 * assert.equal(loopbackHost("[::1]:1"), true);
 * assert.equal(loopbackHost("attacker.example:8080"), false);
 * ```
 */
export function loopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** The token a request carries, if any. */
export function requestToken(c: Context): string | undefined {
  return c.req.header(TOKEN_HEADER) ?? c.req.query("token");
}

/** The middleware. */
export function uiGuard(options: GuardOptions): MiddlewareHandler {
  return async function guard(c, next) {
    if (!options.allowRemote) {
      if (!isLoopback(clientAddress(c.env))) {
        throw new HttpError(403, {
          error: "ctvs ui answers loopback callers only (start it with --allow-remote to serve other hosts)",
        });
      }
      if (!loopbackHost(c.req.header("host"))) {
        throw new HttpError(403, { error: "ctvs ui answers requests to localhost, 127.0.0.1 or [::1] only" });
      }
    }
    if (!tokenMatches(requestToken(c), options.token)) {
      throw new HttpError(401, {
        error: "this page needs the token of the running ctvs ui: open the URL it printed when it started",
      });
    }
    await next();
  };
}
