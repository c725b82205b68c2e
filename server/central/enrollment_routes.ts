/**
 * `POST /v1/enrollments/bootstrap-config` `{join_code}`: a new host redeems a join code (reference §10.1). Counted per
 * client IP like the identity bootstrap (5 a minute). Each use mints the gateway id of that use, registers its config
 * when it has none, and answers 200 `{config, gateway_id, expires_at}` (no-store): the config the gateway runs, with a
 * fresh one-shot bootstrap token inside; `expires_at` (unix seconds) is the token's expiry. 401 `invalid enrollment
 * key`, 410 `enrollment expired`, 409 `enrollment use limit reached`, 400 `join_code is required`.
 *
 * The config registered for a new gateway is the first of: the one already registered under its id (a host joining
 * again), the one registered under the invite's gateway id (a template for every `<prefix>-<n>` of a code with
 * several uses), or a starter config (OTLP and the LLM proxy on loopback, as the embedded default).
 *
 * @module
 */
import { Hono } from "hono";
import { defaultConfig } from "../../platform/config/default_config.ts";
import type { Config } from "../../platform/config/types.ts";
import { clientAddress } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { readJsonObject } from "../json_body.ts";
import { limit } from "../rate_limiter.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { requestOrigin, withCentral } from "./config_routes.ts";
import type { CentralContext } from "./context.ts";
import { EnrollmentError, type Redemption } from "./enrollments.ts";

/**
 * The shortest life of the bootstrap token a redemption mints. It lives as long as the invite has left, but at least
 * this long: a host that redeemed a code in its last minute can still bootstrap after a network hiccup.
 */
export const MIN_ENROLLMENT_TOKEN_TTL_SECONDS = 15 * 60;

const MAX_BODY_BYTES = 4096;

const REFUSALS: Record<Exclude<EnrollmentError["reason"], "in_use">, [number, string]> = {
  unknown: [401, "invalid enrollment key"],
  expired: [410, "enrollment expired"],
  use_limit: [409, "enrollment use limit reached"],
};

/** The enrollment routes. */
export function enrollmentRoutes(context: CentralContext): Hono {
  const app = new Hono();
  app.post("/v1/enrollments/bootstrap-config", async (c) => {
    limit(context.enrollmentLimiter.take(clientAddress(c.env) ?? "unknown"));
    const tokens = context.tokens;
    if (!tokens) throw new HttpError(503, { error: "bootstrap not provisioned" });
    const body = await readJsonObject(c.req.raw, MAX_BODY_BYTES);
    const code = body.join_code;
    if (typeof code !== "string" || code.trim() === "") throw new HttpError(400, { error: "join_code is required" });
    let redemption: Redemption;
    try {
      redemption = await context.enrollments.redeem(code);
    } catch (error) {
      if (error instanceof EnrollmentError && error.reason !== "in_use") {
        const [status, message] = REFUSALS[error.reason];
        throw new HttpError(status, { error: message });
      }
      throw error;
    }
    const url = context.publicUrl ?? requestOrigin(c.req.raw);
    const registered = await registerGateway(context, redemption, url);
    const ttl = Math.max(redemption.expiresAt - context.now(), MIN_ENROLLMENT_TOKEN_TTL_SECONDS);
    const { token, expiresAt } = await tokens.issue(redemption.gatewayId, ttl);
    context.log(`enrollment: ${redemption.gatewayId} joined (use ${redemption.use} of its invite)`);
    return c.json(
      { config: withCentral(registered, url, token), gateway_id: redemption.gatewayId, expires_at: expiresAt },
      200,
      { "cache-control": "no-store" },
    );
  });
  otherMethodsNotAllowed(app, "/v1/enrollments/bootstrap-config", ["POST"]);
  return app;
}

/** The config of the redeemed gateway, registered first when it has none (see the module doc). */
async function registerGateway(context: CentralContext, redemption: Redemption, url: string): Promise<Config> {
  const { gatewayId, enrollmentGatewayId } = redemption;
  const own = await context.registry.get(gatewayId);
  if (own) return own.config;
  const template = gatewayId === enrollmentGatewayId ? undefined : await context.registry.get(enrollmentGatewayId);
  const base = template?.config ?? starterConfig(url);
  const central = base.central_server ?? { url, identity: {} };
  const { bootstrap_token: _, ...identity } = central.identity;
  const config: Config = { ...base, central_server: { ...central, url, identity } };
  await context.registry.set(gatewayId, config);
  return config;
}

/** A gateway that records what the embedded default does: OTLP and the LLM proxy, on loopback. */
function starterConfig(url: string): Config {
  const { otel, proxy } = defaultConfig();
  return { version: 1, role: "gateway", central_server: { url, identity: {} }, otel, proxy };
}
