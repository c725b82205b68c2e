/**
 * Calls to a rendezvous service: Central registers and withdraws invites, `ctvs join` resolves a code. Each request
 * has a timeout; each failure is a {@linkcode RendezvousError} whose `kind` says what happened, for the caller to
 * word what to do next.
 *
 * @module
 */
import { isHttpUrl } from "../platform/config/_checks.ts";
import { isValidGatewayId } from "../platform/gateway_id.ts";
import { errorMessage } from "../platform/runtime.ts";
import { describeFailure, retryAfterSeconds } from "./failed_response.ts";
import { type InviteRegistration, isDisplayName, type ResolvedInvite } from "./rendezvous_wire.ts";

/** How long one request may take. */
export const RENDEZVOUS_TIMEOUT_MS = 10_000;

/** What went wrong. */
export type RendezvousErrorKind =
  | "unreachable"
  | "unknown"
  | "expired"
  | "rate_limited"
  | "refused"
  | "invalid_answer";

/** A rendezvous request that failed. */
export class RendezvousError extends Error {
  constructor(
    readonly kind: RendezvousErrorKind,
    message: string,
    readonly details: { status?: number; retryAfterSeconds?: number } = {},
  ) {
    super(message);
    this.name = "RendezvousError";
  }
}

/** Registers `invite` with the registration token; throws a {@linkcode RendezvousError} `refused` or `unreachable`. */
export async function registerInvite(
  fetchFn: typeof fetch,
  baseUrl: string,
  token: string,
  invite: InviteRegistration,
): Promise<void> {
  const response = await call(fetchFn, baseUrl, "/v1/rendezvous/invites", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify(invite),
  });
  if (!response.ok) throw new RendezvousError("refused", await describeFailure(response), { status: response.status });
  await response.body?.cancel();
}

/** Withdraws the invite of a join code's sha256; false when the service did not have it. */
export async function removeInvite(
  fetchFn: typeof fetch,
  baseUrl: string,
  token: string,
  joinCodeHash: string,
): Promise<boolean> {
  const response = await call(fetchFn, baseUrl, `/v1/rendezvous/invites/${joinCodeHash}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return false;
  }
  if (!response.ok) throw new RendezvousError("refused", await describeFailure(response), { status: response.status });
  await response.body?.cancel();
  return true;
}

/**
 * Resolves `joinCode` to Central's URL. The answer must name an http(s) `connect_url` (its trailing `/` trimmed), a
 * valid gateway id and a parseable expiry. Throws a {@linkcode RendezvousError}: `unknown` (404), `expired` (410),
 * `rate_limited` (429), `refused` (other statuses), `invalid_answer`, `unreachable`.
 */
export async function resolveJoinCode(
  fetchFn: typeof fetch,
  baseUrl: string,
  joinCode: string,
): Promise<ResolvedInvite> {
  const response = await call(fetchFn, baseUrl, "/v1/rendezvous/resolve", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ join_code: joinCode }),
  });
  const status = response.status;
  if (status === 404 || status === 410) {
    await response.body?.cancel();
    throw new RendezvousError(
      status === 404 ? "unknown" : "expired",
      status === 404 ? "unknown join code" : "join code expired",
      { status },
    );
  }
  if (status === 429) {
    const retry = Math.ceil(retryAfterSeconds(response.headers.get("retry-after"), 60));
    await response.body?.cancel();
    throw new RendezvousError("rate_limited", "rate limited", { status, retryAfterSeconds: retry });
  }
  if (!response.ok) throw new RendezvousError("refused", await describeFailure(response), { status });
  let body: Partial<Record<keyof ResolvedInvite, unknown>>;
  try {
    body = await response.json();
  } catch {
    throw new RendezvousError("invalid_answer", "the answer is not JSON");
  }
  const { connect_url, gateway_id, expires_at, display_name } = body ?? {};
  if (typeof connect_url !== "string" || !isHttpUrl(connect_url)) {
    throw new RendezvousError("invalid_answer", "the answer has no http(s) connect_url");
  }
  if (!isValidGatewayId(gateway_id)) throw new RendezvousError("invalid_answer", "the answer has no valid gateway_id");
  if (typeof expires_at !== "string" || Number.isNaN(Date.parse(expires_at))) {
    throw new RendezvousError("invalid_answer", "the answer has no parseable expires_at");
  }
  return {
    connect_url: connect_url.replace(/\/+$/, ""),
    gateway_id,
    expires_at,
    ...(isDisplayName(display_name) ? { display_name } : {}),
  };
}

async function call(fetchFn: typeof fetch, baseUrl: string, path: string, init: RequestInit): Promise<Response> {
  const url = `${baseUrl.replace(/\/+$/, "")}${path}`;
  try {
    return await fetchFn(url, { ...init, signal: AbortSignal.timeout(RENDEZVOUS_TIMEOUT_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? error.cause.message : undefined;
    const reason = (error as Error)?.name === "TimeoutError" ? "timed out" : cause ?? errorMessage(error);
    throw new RendezvousError("unreachable", `cannot reach the rendezvous service at ${baseUrl}: ${reason}`);
  }
}
