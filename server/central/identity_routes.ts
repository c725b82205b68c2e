/**
 * `POST /v1/identity/bootstrap` (a one-shot bootstrap token for a first JWT; 5 requests a minute per client IP) and
 * `POST /v1/identity/refresh` (a valid JWT of a registered gateway for a new one; once a minute per gateway).
 *
 * @module
 */
import { Hono } from "hono";
import { clientAddress } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { readJsonObject } from "../json_body.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { limit } from "../rate_limiter.ts";
import { authenticate } from "./auth.ts";
import { BootstrapTokenError } from "./bootstrap_tokens.ts";
import type { CentralContext } from "./context.ts";

/** The largest identity request body. */
const MAX_BODY_BYTES = 4096;

/** The identity routes. */
export function identityRoutes(context: CentralContext): Hono {
  const app = new Hono();
  app.post("/v1/identity/bootstrap", async (c) => {
    limit(context.bootstrapLimiter.take(clientAddress(c.env) ?? "unknown"));
    if (!context.tokens) throw new HttpError(503, { error: "bootstrap not provisioned" });
    const body = await readJsonObject(c.req.raw, MAX_BODY_BYTES);
    const token = body.bootstrap_token;
    if (typeof token !== "string" || token === "") throw new HttpError(400, { error: "bootstrap_token is required" });
    let gatewayId: string;
    try {
      gatewayId = (await context.tokens.consume(token)).gatewayId;
    } catch (error) {
      throw invalidToken(error);
    }
    return c.json(await issue(context, gatewayId));
  });
  otherMethodsNotAllowed(app, "/v1/identity/bootstrap", ["POST"]);

  app.post("/v1/identity/refresh", async (c) => {
    const gatewayId = await authenticate(c.req.raw, context, { requireConfig: true });
    limit(context.refreshLimiter.take(gatewayId));
    return c.json(await issue(context, gatewayId));
  });
  otherMethodsNotAllowed(app, "/v1/identity/refresh", ["POST"]);
  return app;
}

/** A new JWT for `gatewayId`: `{jwt, expires_at}` (unix seconds). */
async function issue(context: CentralContext, gatewayId: string): Promise<{ jwt: string; expires_at: number }> {
  const iat = context.now();
  const exp = iat + context.jwtTtlSeconds;
  return { jwt: await context.issuer.sign({ sub: gatewayId, iat, exp }), expires_at: exp };
}

/** A bootstrap token failure as its 401; anything else as it is. */
export function invalidToken(error: unknown): unknown {
  if (error instanceof BootstrapTokenError) {
    return new HttpError(401, { error: "invalid bootstrap token", reason: error.reason });
  }
  return error;
}
