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
import { joinCodeHash, normalizeJoinCode } from "../../platform/join_code.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { bearerToken, tokenMatches } from "../bearer.ts";
import { clientAddress } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import { removeInvite } from "../rendezvous_client.ts";
import { readJsonObject } from "../json_body.ts";
import { limit } from "../rate_limiter.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { requestOrigin } from "./config_routes.ts";
import type { CentralContext } from "./context.ts";
import { EnrollmentError, type NewEnrollment } from "./enrollments.ts";
import {
  type CreatedInvite,
  createInvite,
  InviteRegistrationError,
  inviteRequest,
  InviteRequestError,
} from "./invites.ts";

const MAX_BODY_BYTES = 4096;

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
    let wanted: NewEnrollment;
    try {
      wanted = inviteRequest(await readJsonObject(c.req.raw, MAX_BODY_BYTES), context.gatewayPrefix);
    } catch (error) {
      if (error instanceof InviteRequestError) throw new HttpError(400, { error: error.message });
      throw error;
    }
    let invite: CreatedInvite;
    try {
      invite = await createInvite({
        enrollments: context.enrollments,
        centralUrl: context.publicUrl ?? requestOrigin(c.req.raw),
        rendezvous: context.rendezvous,
        fetch: context.fetch,
      }, wanted);
    } catch (error) {
      if (error instanceof EnrollmentError && error.reason === "in_use") {
        throw new HttpError(409, {
          error: `gatewayPrefix "${wanted.gatewayId}" already has a live invite; revoke it or choose another prefix`,
        });
      }
      if (error instanceof InviteRegistrationError) {
        context.log(`warning: invite for ${wanted.gatewayId} withdrawn: ${error.message}`);
        throw new HttpError(502, { error: error.message });
      }
      throw error;
    }
    const { joinCode, record } = invite;
    return c.json(
      {
        joinCode,
        expiresAt: new Date(record.expiresAt * 1000).toISOString(),
        maxUses: record.maxUses,
        gatewayPrefix: record.gatewayId,
        ...(record.displayName !== undefined ? { displayName: record.displayName } : {}),
        centralUrl: invite.centralUrl,
        rendezvousUrl: invite.rendezvousUrl ?? null,
        command: invite.command,
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
