/**
 * The gate in front of every `ctvs ui` route: the caller must be on loopback (unless the UI was started with
 * `--allow-remote`), the `Host` header must name a loopback host (so a DNS-rebound page on another name cannot
 * reach it), and the request must carry the per-start token (`X-Ctvs-Token` header, or `?token=` for the page,
 * its assets and downloads).
 *
 * @module
 */
import type { Context, MiddlewareHandler } from "hono";
import { clientAddress, isLoopback, loopbackHost } from "../client_address.ts";
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
