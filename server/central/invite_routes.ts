/**
 * The admin API's invites (reference §10.1), there only when `server.admin` is set (404 otherwise). Every request is
 * counted against its client IP before the admin token is checked (in constant time), so a guesser is slowed as
 * much as anyone.
 *
 * - `POST /v1/admin/invites` `{gatewayPrefix?, maxUses?, ttlSeconds?, displayName?}` → 200 `{joinCode, expiresAt,
 *   maxUses, gatewayPrefix, displayName?, centralUrl, rendezvousUrl, command}`: an enrollment stored under the keyed
 *   hash of a new join code, and registered at the rendezvous service when `server.rendezvous` is set (a failure
 *   there withdraws it: 502).
 * - `GET /v1/admin/invites` → `{invites: [{gatewayPrefix, maxUses, usedCount, expiresAt, createdAt, displayName?}]}`
 * - `POST /v1/admin/invites/revoke` `{joinCode}` → `{revoked: true, rendezvous}`; 404 unknown code
 *
 * @module
 */
import { Hono } from "hono";
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { joinCodeHash, newJoinCode, normalizeJoinCode } from "../../platform/join_code.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { bearerToken, tokenMatches } from "../bearer.ts";
import { clientAddress } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { registerInvite, removeInvite } from "../rendezvous/client.ts";
import { isDisplayName } from "../rendezvous/wire.ts";
import { invalidGatewayIdMessage } from "./config_registry.ts";
import { requestOrigin } from "./config_routes.ts";
import type { CentralContext } from "./context.ts";
import { EnrollmentError, mintsValidIds, type NewEnrollment } from "./enrollments.ts";
import { limit } from "./identity_routes.ts";
import { readJsonObject } from "./json_body.ts";
import { otherMethodsNotAllowed } from "./methods.ts";

/** An invite lives this long unless it says otherwise: 24 hours. */
export const DEFAULT_INVITE_TTL_SECONDS = 24 * 3600;
/** The longest an invite may live: 30 days. */
export const MAX_INVITE_TTL_SECONDS = 30 * 24 * 3600;
/** The shortest: a minute. */
export const MIN_INVITE_TTL_SECONDS = 60;
/** The most uses one code may have. */
export const MAX_INVITE_USES = 1000;

const MAX_BODY_BYTES = 4096;
const INVITE_KEYS = ["gatewayPrefix", "maxUses", "ttlSeconds", "displayName"];

/** The invite routes (none without `server.admin`). */
export function inviteRoutes(context: CentralContext): Hono {
  const app = new Hono();
  const adminToken = context.adminToken;
  if (!adminToken) return app;
  const admit = (request: Request, env: unknown) => {
    limit(context.adminLimiter.take(clientAddress(env) ?? "unknown"));
    if (!tokenMatches(bearerToken(request), adminToken)) {
      throw new HttpError(401, { error: "unauthorized" }, { "www-authenticate": "Bearer" });
    }
  };

  app.post("/v1/admin/invites", async (c) => {
    admit(c.req.raw, c.env);
    const wanted = inviteRequest(await readJsonObject(c.req.raw, MAX_BODY_BYTES), context.gatewayPrefix);
    let created;
    try {
      created = await context.enrollments.create(wanted);
    } catch (error) {
      if (error instanceof EnrollmentError && error.reason === "in_use") {
        throw new HttpError(409, {
          error: `gatewayPrefix "${wanted.gatewayId}" already has a live invite; revoke it or choose another prefix`,
        });
      }
      throw error;
    }
    const { joinCode, record } = created;
    const centralUrl = context.publicUrl ?? requestOrigin(c.req.raw);
    const expiresAt = new Date(record.expiresAt * 1000).toISOString();
    const rendezvous = context.rendezvous;
    if (rendezvous) {
      try {
        await registerInvite(context.fetch, rendezvous.url, rendezvous.registrationToken, {
          join_code_hash: joinCodeHash(joinCode),
          connect_url: centralUrl,
          gateway_id: record.gatewayId,
          expires_at: expiresAt,
          ...(record.displayName !== undefined ? { display_name: record.displayName } : {}),
        });
      } catch (error) {
        await context.enrollments.remove(joinCode);
        context.log(
          `warning: invite for ${record.gatewayId} withdrawn: rendezvous registration failed: ${errorMessage(error)}`,
        );
        throw new HttpError(502, { error: `rendezvous registration failed: ${errorMessage(error)}` });
      }
    }
    const where = rendezvous ? `--rendezvous ${rendezvous.url}` : `--central ${centralUrl}`;
    return c.json(
      {
        joinCode,
        expiresAt,
        maxUses: record.maxUses,
        gatewayPrefix: record.gatewayId,
        ...(record.displayName !== undefined ? { displayName: record.displayName } : {}),
        centralUrl,
        rendezvousUrl: rendezvous?.url ?? null,
        command: `npx collectivus join ${joinCode} ${where}`,
      },
      200,
      { "cache-control": "no-store" },
    );
  });

  app.get("/v1/admin/invites", async (c) => {
    admit(c.req.raw, c.env);
    const invites = (await context.enrollments.list()).map((r) => ({
      gatewayPrefix: r.gatewayId,
      maxUses: r.maxUses,
      usedCount: r.usedCount,
      expiresAt: new Date(r.expiresAt * 1000).toISOString(),
      createdAt: new Date(r.createdAt * 1000).toISOString(),
      ...(r.displayName !== undefined ? { displayName: r.displayName } : {}),
    }));
    return c.json({ invites }, 200, { "cache-control": "no-store" });
  });
  otherMethodsNotAllowed(app, "/v1/admin/invites", ["GET", "POST"]);

  app.post("/v1/admin/invites/revoke", async (c) => {
    admit(c.req.raw, c.env);
    const body = await readJsonObject(c.req.raw, MAX_BODY_BYTES);
    const typed = body.joinCode;
    if (typeof typed !== "string" || typed.trim() === "") throw new HttpError(400, { error: "joinCode is required" });
    if (!(await context.enrollments.remove(typed))) throw new HttpError(404, { error: "unknown join code" });
    let at = "not configured";
    const rendezvous = context.rendezvous;
    const code = normalizeJoinCode(typed);
    if (rendezvous && code) {
      try {
        const removed = await removeInvite(
          context.fetch,
          rendezvous.url,
          rendezvous.registrationToken,
          joinCodeHash(code),
        );
        at = removed ? "removed" : "not registered";
      } catch (error) {
        // Central no longer redeems the code, which is what counts; the rendezvous record only points at Central.
        at = `not removed: ${errorMessage(error)}`;
      }
    }
    return c.json({ revoked: true, rendezvous: at }, 200, { "cache-control": "no-store" });
  });
  otherMethodsNotAllowed(app, "/v1/admin/invites/revoke", ["POST"]);
  return app;
}

/** The invite a body asks for, with the defaults; a 400 names the first field that is wrong. */
function inviteRequest(body: Record<string, unknown>, defaultPrefix: string): NewEnrollment {
  const bad = (error: string): never => {
    throw new HttpError(400, { error });
  };
  for (const key of Object.keys(body)) {
    if (!INVITE_KEYS.includes(key)) bad(`unknown field "${key}" (expected ${INVITE_KEYS.join(", ")})`);
  }
  const { gatewayPrefix, maxUses = 1, ttlSeconds = DEFAULT_INVITE_TTL_SECONDS, displayName } = body;
  if (gatewayPrefix !== undefined && !isValidGatewayId(gatewayPrefix)) {
    bad(`gatewayPrefix: ${invalidGatewayIdMessage(String(gatewayPrefix))}`);
  }
  if (!Number.isSafeInteger(maxUses) || (maxUses as number) < 1 || (maxUses as number) > MAX_INVITE_USES) {
    bad(`maxUses must be a whole number from 1 to ${MAX_INVITE_USES}`);
  }
  const ttl = ttlSeconds as number;
  if (!Number.isSafeInteger(ttl) || ttl < MIN_INVITE_TTL_SECONDS || ttl > MAX_INVITE_TTL_SECONDS) {
    bad(`ttlSeconds must be a whole number from ${MIN_INVITE_TTL_SECONDS} to ${MAX_INVITE_TTL_SECONDS} (30 days)`);
  }
  if (displayName !== undefined && !isDisplayName(displayName)) {
    bad("displayName must be a string of 1 to 200 characters without control characters");
  }
  // Without a prefix, each invite gets ids of its own, so two invites never mint the same gateway.
  const gatewayId = (gatewayPrefix as string | undefined) ?? `${defaultPrefix}-${newJoinCode(6).toLowerCase()}`;
  if (!mintsValidIds(gatewayId, maxUses as number)) {
    bad(
      `gatewayPrefix "${gatewayId}" with maxUses ${maxUses} mints "${gatewayId}-${maxUses}", longer than 128 characters`,
    );
  }
  return {
    gatewayId,
    maxUses: maxUses as number,
    ttlSeconds: ttl,
    ...(displayName !== undefined ? { displayName: displayName as string } : {}),
  };
}
