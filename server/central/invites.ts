/**
 * Making an invite: an enrollment under a new join code, registered at the rendezvous service when there is one, and
 * withdrawn again when that registration fails, so nothing half-made is left. Shared by the admin API
 * (`POST /v1/admin/invites`) and the operator CLI on the server host (`ctvs config bootstrap-token issue
 * --rendezvous`).
 *
 * @module
 */
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { joinCodeHash, newJoinCode } from "../../platform/join_code.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { registerInvite } from "../rendezvous_client.ts";
import { isDisplayName } from "../rendezvous_wire.ts";
import { invalidGatewayIdMessage } from "./config_registry.ts";
import { type EnrollmentRecord, type Enrollments, mintsValidIds, type NewEnrollment } from "./enrollments.ts";

/** An invite lives this long unless it says otherwise: 24 hours. */
export const DEFAULT_INVITE_TTL_SECONDS = 24 * 3600;
/** The longest an invite may live: 30 days. */
export const MAX_INVITE_TTL_SECONDS = 30 * 24 * 3600;
/** The shortest: a minute. */
export const MIN_INVITE_TTL_SECONDS = 60;
/** The most uses one code may have. */
export const MAX_INVITE_USES = 1000;

/** Where an invite is made and announced. */
export interface InviteDeps {
  enrollments: Enrollments;
  /** Central's URL as joining hosts reach it. */
  centralUrl: string;
  /** The rendezvous service to register at, if any. */
  rendezvous?: { url: string; registrationToken: string };
  fetch: typeof fetch;
}

/** A new invite. */
export interface CreatedInvite {
  /** The code, shown once. */
  joinCode: string;
  record: EnrollmentRecord;
  centralUrl: string;
  rendezvousUrl?: string;
  /** What the operator shares: `npx collectivus join <code> --rendezvous <url>` (or `--central <url>`). */
  command: string;
}

/** The rendezvous service refused or could not be reached; the invite was withdrawn. */
export class InviteRegistrationError extends Error {
  constructor(cause: unknown) {
    super(`rendezvous registration failed: ${errorMessage(cause)}`, { cause });
    this.name = "InviteRegistrationError";
  }
}

/**
 * Creates the invite `wanted` asks for. Throws the store's `EnrollmentError` (`in_use`) or an
 * {@linkcode InviteRegistrationError}.
 */
export async function createInvite(deps: InviteDeps, wanted: NewEnrollment): Promise<CreatedInvite> {
  const { joinCode, record } = await deps.enrollments.create(wanted);
  const rendezvous = deps.rendezvous;
  const centralUrl = deps.centralUrl.replace(/\/+$/, "");
  if (rendezvous) {
    try {
      await registerInvite(deps.fetch, rendezvous.url, rendezvous.registrationToken, {
        join_code_hash: joinCodeHash(joinCode),
        connect_url: centralUrl,
        gateway_id: record.gatewayId,
        expires_at: new Date(record.expiresAt * 1000).toISOString(),
        ...(record.displayName !== undefined ? { display_name: record.displayName } : {}),
      });
    } catch (error) {
      await deps.enrollments.remove(joinCode);
      throw new InviteRegistrationError(error);
    }
  }
  const rendezvousUrl = rendezvous?.url.replace(/\/+$/, "");
  const where = rendezvousUrl ? `--rendezvous ${rendezvousUrl}` : `--central ${centralUrl}`;
  return {
    joinCode,
    record,
    centralUrl,
    ...(rendezvousUrl ? { rendezvousUrl } : {}),
    command: `npx collectivus join ${joinCode} ${where}`,
  };
}

/** A request for an invite that cannot be made; the message names the first field that is wrong. */
export class InviteRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InviteRequestError";
  }
}

const INVITE_KEYS = ["gatewayPrefix", "maxUses", "ttlSeconds", "displayName"];

/**
 * The invite `body` (`{gatewayPrefix?, maxUses?, ttlSeconds?, displayName?}`) asks for, with the defaults: one use,
 * 24 hours, and `<defaultPrefix>-<6 random characters>` as the gateway id. Throws an {@linkcode InviteRequestError}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(inviteRequest({ gatewayPrefix: "team", maxUses: 3 }, "gw"), {
 *   gatewayId: "team",
 *   maxUses: 3,
 *   ttlSeconds: 86400,
 * });
 * assert.match(inviteRequest({}, "gw").gatewayId, /^gw-[a-z0-9]{6}$/);
 * assert.throws(() => inviteRequest({ maxUses: 0 }, "gw"), /maxUses must be a whole number from 1 to 1000/);
 * ```
 */
export function inviteRequest(body: Record<string, unknown>, defaultPrefix: string): NewEnrollment {
  const bad = (error: string): never => {
    throw new InviteRequestError(error);
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
