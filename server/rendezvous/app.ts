/**
 * The rendezvous service's API (reference §10.7): Central registers an invite (the sha256 of its join code and
 * where Central is) with the shared registration token; a new host resolves its join code to Central's URL. Every
 * answer is JSON with `Cache-Control: no-store`; bodies are at most 8 KiB; errors are `{"error": ...}`, unknown paths
 * 404, other methods 405.
 *
 * - `GET /health` → `{status:"ok", version}`
 * - `POST /v1/rendezvous/invites` (Bearer registration token) `{join_code_hash, connect_url, gateway_id, expires_at,
 *   display_name?}` → 200 `{ok:true, expires_at}`; 400 invalid, 401 token, 409 duplicate, 503 full
 * - `DELETE /v1/rendezvous/invites/<join_code_hash>` (Bearer registration token) → 200 `{ok:true}`; 404 unknown
 * - `POST /v1/rendezvous/resolve` `{join_code}` → 200 `{connect_url, gateway_id, expires_at, display_name?}`; 400,
 *   404 unknown, 410 expired, 429 (per client IP)
 *
 * @module
 */
import { Hono } from "hono";
import { isHttpUrl } from "../../platform/config/_checks.ts";
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { joinCodeHash, normalizeJoinCode } from "../../platform/join_code.ts";
import { VERSION } from "../../platform/version.ts";
import { bearerToken, tokenMatches } from "../bearer.ts";
import { readJsonObject } from "../json_body.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { limit, RateLimiter } from "../rate_limiter.ts";
import { clientAddress } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { type InviteRegistration, isDisplayName } from "../rendezvous_wire.ts";
import { type InviteStore, InviteStoreError } from "./invite_store.ts";

/** The largest request body. */
export const MAX_BODY_BYTES = 8192;

/** How far ahead an invite may expire. */
export const MAX_INVITE_LIFETIME_MS = 31 * 24 * 3600 * 1000;

const HASH = /^[0-9a-f]{64}$/;
const REGISTRATION_KEYS = ["join_code_hash", "connect_url", "gateway_id", "expires_at", "display_name"];

/** What the app needs. */
export interface RendezvousOptions {
  store: InviteStore;
  /** The token Central registers invites with. */
  registrationToken: string;
  /** Resolves per client IP (default 30 a minute). */
  resolveLimit?: { limit: number; windowMs: number };
  /** Milliseconds (tests move it). */
  now?: () => number;
  log(line: string): void;
}

/** Builds the rendezvous app. */
export function rendezvousApp(options: RendezvousOptions): Hono {
  const { store, registrationToken } = options;
  const now = options.now ?? Date.now;
  const limiter = new RateLimiter({ ...options.resolveLimit ?? { limit: 30, windowMs: 60_000 }, now });
  const app = new Hono();
  app.use(async (c, next) => {
    await next();
    c.res.headers.set("cache-control", "no-store");
  });

  app.get("/health", (c) => c.json({ status: "ok", version: VERSION }));
  otherMethodsNotAllowed(app, "/health", ["GET"]);

  const authorize = (request: Request) => {
    if (!tokenMatches(bearerToken(request), registrationToken)) {
      throw new HttpError(401, { error: "unauthorized" }, { "www-authenticate": "Bearer" });
    }
  };

  app.post("/v1/rendezvous/invites", async (c) => {
    authorize(c.req.raw);
    const invite = registration(await readJsonObject(c.req.raw, MAX_BODY_BYTES), now());
    try {
      await store.register(invite);
    } catch (error) {
      if (error instanceof InviteStoreError) {
        throw new HttpError(error.reason === "duplicate" ? 409 : 503, { error: error.message });
      }
      throw error;
    }
    return c.json({ ok: true, expires_at: invite.expires_at });
  });
  otherMethodsNotAllowed(app, "/v1/rendezvous/invites", ["POST"]);

  app.delete("/v1/rendezvous/invites/:hash", async (c) => {
    authorize(c.req.raw);
    const hash = c.req.param("hash");
    if (!HASH.test(hash)) throw new HttpError(400, { error: "the path must end with a join_code_hash (64 hex)" });
    if (!(await store.remove(hash))) throw new HttpError(404, { error: "unknown join code" });
    return c.json({ ok: true });
  });
  otherMethodsNotAllowed(app, "/v1/rendezvous/invites/:hash", ["DELETE"]);

  app.post("/v1/rendezvous/resolve", async (c) => {
    limit(limiter.take(clientAddress(c.env) ?? "unknown"));
    const body = await readJsonObject(c.req.raw, MAX_BODY_BYTES);
    const typed = body.join_code;
    if (typeof typed !== "string" || typed.trim() === "") throw new HttpError(400, { error: "join_code is required" });
    const code = normalizeJoinCode(typed);
    // A code of the wrong shape is as unknown as any other: its shape is no secret, but a 404 keeps one answer.
    const found = code === undefined ? { status: "unknown" as const } : await store.resolve(joinCodeHash(code));
    if (found.status === "unknown") throw new HttpError(404, { error: "unknown join code" });
    if (found.status === "expired") throw new HttpError(410, { error: "join code expired" });
    const { connect_url, gateway_id, expires_at, display_name } = found.invite;
    return c.json({ connect_url, gateway_id, expires_at, ...(display_name !== undefined ? { display_name } : {}) });
  });
  otherMethodsNotAllowed(app, "/v1/rendezvous/resolve", ["POST"]);

  app.notFound(() => {
    throw new HttpError(404, { error: "not found" });
  });
  app.onError((error, c) => {
    const response = error instanceof HttpError ? error.toResponse() : undefined;
    if (!response) options.log(`error: rendezvous ${c.req.method} ${c.req.path}: ${error.message}`);
    const answer = response ?? Response.json({ error: "internal error" }, { status: 500 });
    answer.headers.set("cache-control", "no-store");
    return answer;
  });
  return app;
}

/** A registration body checked field by field; a 400 names the first field that is wrong. */
function registration(body: Record<string, unknown>, now: number): InviteRegistration {
  const bad = (error: string): never => {
    throw new HttpError(400, { error });
  };
  for (const key of Object.keys(body)) {
    if (key === "join_code") bad("send join_code_hash (the sha256 of the code), never the join code itself");
    if (!REGISTRATION_KEYS.includes(key)) bad(`unknown field "${key}"`);
  }
  const { join_code_hash, connect_url, gateway_id, expires_at, display_name } = body;
  if (join_code_hash === undefined) bad("join_code_hash is required");
  if (typeof join_code_hash !== "string" || !HASH.test(join_code_hash)) {
    bad("join_code_hash must be the sha256 of the join code (64 lowercase hex characters)");
  }
  if (connect_url === undefined) bad("connect_url is required");
  if (typeof connect_url !== "string" || !isHttpUrl(connect_url)) bad("connect_url must be an http(s) URL");
  if (gateway_id === undefined) bad("gateway_id is required");
  if (!isValidGatewayId(gateway_id)) bad("gateway_id must be a valid gateway id");
  if (expires_at === undefined) bad("expires_at is required");
  const expires = typeof expires_at === "string" ? Date.parse(expires_at) : NaN;
  if (Number.isNaN(expires)) bad("expires_at must be an ISO date");
  if (expires <= now) bad("expires_at must be in the future");
  if (expires > now + MAX_INVITE_LIFETIME_MS) bad("expires_at must be at most 31 days ahead");
  if (display_name !== undefined && !isDisplayName(display_name)) {
    bad("display_name must be a string of 1 to 200 characters without control characters");
  }
  return {
    join_code_hash: join_code_hash as string,
    connect_url: (connect_url as string).replace(/\/+$/, ""),
    gateway_id: gateway_id as string,
    expires_at: new Date(expires).toISOString(),
    ...(display_name !== undefined ? { display_name: display_name as string } : {}),
  };
}
