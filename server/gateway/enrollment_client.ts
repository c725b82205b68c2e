/**
 * A new host's first calls to Central (reference §10.8): redeem a join code for a gateway config carrying a fresh
 * one-shot bootstrap token (`POST /v1/enrollments/bootstrap-config`), and, once it has a JWT, fetch the config
 * registered for it (`GET /v1/config`). Failures are {@linkcode EnrollmentClientError}s whose `kind` says what
 * happened, or {@linkcode CentralUnreachableError} when Central did not answer.
 *
 * @module
 */
import type { Config } from "../../platform/config/types.ts";
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { validateGatewayConfig } from "../../platform/config/validate_gateway_config.ts";
import { describeFailure, retryAfterSeconds } from "../failed_response.ts";
import { callCentral, centralUrl } from "./central_client.ts";

/** What went wrong. */
export type EnrollmentFailure =
  | "unknown"
  | "expired"
  | "used_up"
  | "rate_limited"
  | "not_provisioned"
  | "no_config"
  | "refused"
  | "invalid_answer";

/** A refusal from Central, or an answer that cannot be used. */
export class EnrollmentClientError extends Error {
  constructor(
    readonly kind: EnrollmentFailure,
    message: string,
    readonly details: { status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "EnrollmentClientError";
  }
}

/** A redeemed join code. */
export interface Redeemed {
  /** The gateway config, with `central_server.identity.bootstrap_token` set. */
  config: Config;
  gatewayId: string;
  /** When the bootstrap token expires, unix seconds. */
  tokenExpiresAt: number;
}

const REDEEM_REFUSALS: Record<number, EnrollmentFailure> = {
  401: "unknown",
  409: "used_up",
  410: "expired",
  503: "not_provisioned",
};

/** Redeems `joinCode` at the Central server `url`. */
export async function redeemJoinCode(fetchFn: typeof fetch, url: string, joinCode: string): Promise<Redeemed> {
  const response = await callCentral(fetchFn, centralUrl(url, "/v1/enrollments/bootstrap-config"), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ join_code: joinCode }),
  });
  await refuse(response, REDEEM_REFUSALS);
  const body = await json(response);
  if (!isValidGatewayId(body.gateway_id)) throw new EnrollmentClientError("invalid_answer", "it names no gateway_id");
  if (typeof body.expires_at !== "number") throw new EnrollmentClientError("invalid_answer", "it has no expires_at");
  const config = gatewayConfig(body.config);
  if (!config.central_server?.identity.bootstrap_token) {
    throw new EnrollmentClientError("invalid_answer", "its config carries no bootstrap token");
  }
  return { config, gatewayId: body.gateway_id, tokenExpiresAt: body.expires_at };
}

/** The config registered for the gateway of `jwt`, and its ETag. */
export async function fetchRegisteredConfig(
  fetchFn: typeof fetch,
  url: string,
  jwt: string,
): Promise<{ config: Config; etag: string }> {
  const response = await callCentral(fetchFn, centralUrl(url, "/v1/config"), {
    headers: { authorization: `Bearer ${jwt}` },
  });
  await refuse(response, { 404: "no_config" });
  const etag = (response.headers.get("etag") ?? "").replace(/^W\//, "").replace(/"/g, "");
  return { config: gatewayConfig(await json(response)), etag };
}

/** Throws the refusal a non-200 answer stands for. */
async function refuse(response: Response, refusals: Record<number, EnrollmentFailure>): Promise<void> {
  const status = response.status;
  if (status === 200) return;
  if (status === 429) {
    const retry = Math.ceil(retryAfterSeconds(response.headers.get("retry-after"), 60));
    await response.body?.cancel();
    throw new EnrollmentClientError("rate_limited", "rate limited", { status, retryAfterSeconds: retry });
  }
  throw new EnrollmentClientError(refusals[status] ?? "refused", await describeFailure(response), { status });
}

async function json(response: Response): Promise<Record<string, unknown>> {
  try {
    const body = await response.json();
    if (typeof body === "object" && body !== null && !Array.isArray(body)) return body;
  } catch {
    // Below.
  }
  throw new EnrollmentClientError("invalid_answer", "it is not a JSON object");
}

function gatewayConfig(value: unknown): Config {
  try {
    return validateGatewayConfig(value).config;
  } catch (error) {
    throw new EnrollmentClientError("invalid_answer", `its config is not a gateway config: ${errorMessage(error)}`);
  }
}
