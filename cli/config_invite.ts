/**
 * `ctvs config bootstrap-token issue <gateway-id> --rendezvous <url>` (reference §2.7): on the Central server's host,
 * an invite made straight in the server's files (no admin API), registered at the rendezvous service; it prints the
 * join code on stdout and the command for the new host on stderr.
 *
 * @module
 */
import { resolveSecrets } from "../platform/config/secrets.ts";
import type { ServerConfig } from "../platform/config/types.ts";
import { serverDataDir } from "../platform/fleet_paths.ts";
import { EnrollmentError, Enrollments, enrollmentStorePath } from "../server/central/enrollments.ts";
import {
  createInvite,
  DEFAULT_INVITE_TTL_SECONDS,
  InviteRegistrationError,
  inviteRequest,
  InviteRequestError,
} from "../server/central/invites.ts";
import type { Io } from "./io.ts";
import { UsageError } from "./usage_error.ts";

/** The environment variable of the rendezvous registration token (as `ctvs rendezvous` reads it). */
const TOKEN_ENV = "COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN";

/** What the flags asked for. */
export interface ConfigInviteOptions {
  gatewayId: string;
  rendezvous: string;
  /** `--rendezvous-token`. */
  token?: string;
  maxUses?: number;
  ttlSeconds?: number;
  /** Central's URL as hosts reach it, and whether it is a guess from the listen address. */
  centralUrl: { url: string; guessed: boolean };
}

/** Makes the invite; returns the exit code. */
export async function issueInvite(
  server: ServerConfig,
  options: ConfigInviteOptions,
  env: Record<string, string | undefined>,
  io: Io,
  usage: string,
  fetchFn: typeof fetch = fetch,
): Promise<number> {
  // The codes are keyed with the JWT secret, as the running server keys them.
  const resolved = resolveSecrets({ version: 1, role: "server", server }, env).server!;
  const token = options.token ?? (env[TOKEN_ENV] || undefined) ?? resolved.rendezvous?.registration_token;
  if (!token) {
    throw new UsageError(
      `--rendezvous needs the registration token: --rendezvous-token, ${TOKEN_ENV}, or server.rendezvous in the config`,
      usage,
    );
  }
  let wanted;
  try {
    wanted = inviteRequest({
      gatewayPrefix: options.gatewayId,
      maxUses: options.maxUses ?? 1,
      ttlSeconds: options.ttlSeconds ?? DEFAULT_INVITE_TTL_SECONDS,
    }, options.gatewayId);
  } catch (error) {
    if (error instanceof InviteRequestError) throw new UsageError(error.message, usage);
    throw error;
  }
  const enrollments = new Enrollments(enrollmentStorePath(serverDataDir(server)), resolved.identity_issuer.secret!);
  let invite;
  try {
    invite = await createInvite({
      enrollments,
      centralUrl: options.centralUrl.url,
      rendezvous: { url: options.rendezvous, registrationToken: token },
      fetch: fetchFn,
    }, wanted);
  } catch (error) {
    if (error instanceof EnrollmentError && error.reason === "in_use") {
      io.err(`error: ${options.gatewayId} already has a live invite; wait for it to expire or choose another id`);
      return 1;
    }
    if (error instanceof InviteRegistrationError) {
      io.err(`error: ${error.message}; check --rendezvous and the registration token (nothing was kept)`);
      return 1;
    }
    throw error;
  }
  const { record } = invite;
  io.out(invite.joinCode);
  const ids = record.maxUses > 1 ? `${record.gatewayId}-1 … ${record.gatewayId}-${record.maxUses}` : record.gatewayId;
  io.err(`Join code for ${ids}; expires at ${new Date(record.expiresAt * 1000).toISOString()}.`);
  io.err("On the new host, run:");
  io.err(`  ${invite.command}`);
  if (options.centralUrl.guessed) {
    io.err(
      `(${invite.centralUrl} is a guess from control_plane_listen; set server.public_url to the address gateways use)`,
    );
  }
  return 0;
}
