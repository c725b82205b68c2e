/**
 * Bearer authentication of a gateway: the JWT is verified (signature, clock skew, expiry) and, where a route needs
 * it, the gateway must still have a registered config: deleting a gateway's config revokes it (reference §10.1).
 *
 * @module
 */
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { bearerToken } from "../bearer.ts";
import { HttpError } from "../http_error.ts";
import { JwtError } from "../jwt.ts";
import type { CentralContext } from "./context.ts";

/** The reason a revoked gateway is given. */
export const NO_CONFIG_REASON = "no config registered for this gateway";

/** A 401 `{error:"unauthorized", reason}` with `WWW-Authenticate: Bearer`. */
export function unauthorized(reason: string): HttpError {
  return new HttpError(401, { error: "unauthorized", reason }, { "www-authenticate": "Bearer" });
}

/**
 * The gateway id of the request's `Authorization: Bearer <jwt>`. With `requireConfig`, a gateway without a registered
 * config is refused with reason `no config registered for this gateway`. Throws a 401 {@linkcode HttpError}.
 */
export async function authenticate(
  request: Request,
  context: Pick<CentralContext, "issuer" | "registry" | "now">,
  options: { requireConfig: boolean },
): Promise<string> {
  const token = bearerToken(request);
  if (!token) throw unauthorized("missing bearer token");
  let sub: string;
  try {
    sub = (await context.issuer.verify(token, context.now())).sub;
  } catch (error) {
    if (error instanceof JwtError) throw unauthorized(error.code);
    throw error;
  }
  if (!isValidGatewayId(sub)) throw unauthorized("malformed");
  if (options.requireConfig && !(await context.registry.has(sub))) throw unauthorized(NO_CONFIG_REASON);
  return sub;
}
