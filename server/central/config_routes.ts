/**
 * `GET /v1/config`: a gateway's registered config, chosen by its JWT (never by a parameter), with its ETag; a
 * matching `If-None-Match` gets 304. `GET /v1/bootstrap-config?token=<bt>`: the config a new gateway starts from,
 * its bootstrap token checked but not used up (the identity bootstrap uses it).
 *
 * @module
 */
import { Hono } from "hono";
import type { Config } from "../../platform/config/types.ts";
import { HttpError } from "../http_error.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { authenticate, NO_CONFIG_REASON } from "./auth.ts";
import type { CentralContext } from "./context.ts";
import { ifNoneMatchMatches } from "./etag.ts";
import { invalidToken } from "./identity_routes.ts";

/** The config routes. */
export function configRoutes(context: CentralContext): Hono {
  const app = new Hono();
  app.get("/v1/config", async (c) => {
    const gatewayId = await authenticate(c.req.raw, context, { requireConfig: false });
    const registered = await context.registry.get(gatewayId);
    if (!registered) throw new HttpError(404, { error: NO_CONFIG_REASON });
    const etag = `"${registered.etag}"`;
    const headers = { etag, "cache-control": "private, no-cache" };
    if (ifNoneMatchMatches(c.req.header("if-none-match"), registered.etag)) {
      return new Response(null, { status: 304, headers });
    }
    return new Response(registered.text, { headers: { ...headers, "content-type": "application/json" } });
  });
  otherMethodsNotAllowed(app, "/v1/config", ["GET"]);

  app.get("/v1/bootstrap-config", async (c) => {
    const token = c.req.query("token") || c.req.query("bootstrap_token");
    if (!token) throw new HttpError(400, { error: "token is required" });
    if (!context.tokens) throw new HttpError(503, { error: "bootstrap not provisioned" });
    let gatewayId: string;
    try {
      gatewayId = (await context.tokens.inspect(token)).gatewayId;
    } catch (error) {
      throw invalidToken(error);
    }
    const url = context.publicUrl ?? requestOrigin(c.req.raw);
    const registered = await context.registry.get(gatewayId);
    const config = withCentral(registered?.config, url, token);
    return c.json(config, 200, { "cache-control": "no-store" });
  });
  otherMethodsNotAllowed(app, "/v1/bootstrap-config", ["GET"]);
  return app;
}

/** The registered config (or a starter one) pointed at `url`, carrying the bootstrap token. */
export function withCentral(registered: Config | undefined, url: string, token: string): Config {
  const config: Config = registered ? structuredClone(registered) : { version: 1, role: "gateway" } as Config;
  const central = config.central_server ?? { url, identity: {} };
  config.central_server = { ...central, url, identity: { ...central.identity, bootstrap_token: token } };
  return config;
}

/**
 * The server's URL as the client reached it: `X-Forwarded-Proto` and `X-Forwarded-Host` when a proxy set them, else
 * the request URL's scheme and `Host`; no trailing slash.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const request = new Request("http://10.0.0.5:8788/v1/bootstrap-config", {
 *   headers: { "x-forwarded-proto": "https", "x-forwarded-host": "central.example.com" },
 * });
 * assert.equal(requestOrigin(request), "https://central.example.com");
 * ```
 */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0].trim() || url.protocol.slice(0, -1);
  const host = request.headers.get("x-forwarded-host")?.split(",")[0].trim() || request.headers.get("host") ||
    url.host;
  return `${proto}://${host}`.replace(/\/+$/, "");
}
