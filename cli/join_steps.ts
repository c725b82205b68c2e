/**
 * The steps of `ctvs join` that talk to the rendezvous service and Central, each failure worded for the joining user:
 * what happened, whether the join code was used, and what to do next.
 *
 * @module
 */
import type { Config } from "../platform/config/types.ts";
import { errorMessage } from "../platform/runtime.ts";
import { CentralUnreachableError } from "../server/gateway/central_client.ts";
import {
  EnrollmentClientError,
  fetchRegisteredConfig,
  type Redeemed,
  redeemJoinCode,
} from "../server/gateway/enrollment_client.ts";
import { RendezvousError, resolveJoinCode } from "../server/rendezvous_client.ts";
import type { ResolvedInvite } from "../server/rendezvous_wire.ts";
import type { Io } from "./io.ts";

/** A failure already worded for the user: `ctvs join` prints `error: <message>` and exits 1. */
export class JoinFailed extends Error {}

/** Step 1 at the rendezvous service, its failures worded for the joining user. */
export async function resolveStep(
  code: string,
  rendezvous: string,
  fetchFn: typeof fetch,
): Promise<ResolvedInvite> {
  try {
    return await resolveJoinCode(fetchFn, rendezvous, code);
  } catch (error) {
    if (!(error instanceof RendezvousError)) throw error;
    const unused = "The join code is not used.";
    switch (error.kind) {
      case "unknown":
        throw new JoinFailed(
          `the rendezvous service at ${rendezvous} does not know this join code. Check the code and the URL ` +
            "for typos; if both are right, the invite was revoked: ask the operator for a new one",
        );
      case "expired":
        throw new JoinFailed("the join code expired. Ask the operator for a new one (ctvs invite create)");
      case "rate_limited":
        throw new JoinFailed(
          `the rendezvous service is rate limiting this address; try again in ${error.details.retryAfterSeconds} s`,
        );
      case "unreachable":
        throw new JoinFailed(
          `${error.message}. ${unused} Check the URL and the network; if the operator gave you the Central ` +
            `server's URL, you can join without the rendezvous service: ctvs join ${code} --central <url>`,
        );
      default:
        throw new JoinFailed(
          `the rendezvous service at ${rendezvous} answered what join cannot use (${error.message}). ${unused} ` +
            "Check that the URL is the rendezvous service's, not Central's",
        );
    }
  }
}

/** Step 2 at Central, its failures worded for the joining user. */
export async function redeemStep(code: string, central: string, fetchFn: typeof fetch): Promise<Redeemed> {
  try {
    return await redeemJoinCode(fetchFn, central, code);
  } catch (error) {
    if (error instanceof CentralUnreachableError) {
      throw new JoinFailed(
        `${error.message}. The join code is not used: check the network (and that this host can reach ${central}), ` +
          "then run the same command again",
      );
    }
    if (!(error instanceof EnrollmentClientError)) throw error;
    switch (error.kind) {
      case "unknown":
        throw new JoinFailed(
          `the Central server at ${central} does not know this join code: it was revoked, or this is another ` +
            "Central server than the one that made it. Ask the operator for a new code",
        );
      case "expired":
        throw new JoinFailed("the join code expired. Ask the operator for a new one (ctvs invite create)");
      case "used_up":
        throw new JoinFailed(
          "the join code is used up: every host it was made for has joined. Ask the operator for a new one " +
            "(ctvs invite create --max-uses <n> makes one for several hosts)",
        );
      case "rate_limited":
        throw new JoinFailed(
          `the Central server is rate limiting this address; try again in ${error.details.retryAfterSeconds} s`,
        );
      case "not_provisioned":
        throw new JoinFailed(
          "the Central server cannot hand out bootstrap tokens: its server.identity_issuer.bootstrap_store_path is " +
            "not set. Ask the operator to set it; the join code is not used",
        );
      default:
        throw new JoinFailed(
          `the Central server at ${central} refused or gave an unusable answer (${error.message}). Ask the operator ` +
            "to check its log",
        );
    }
  }
}

/** Step 4: `GET /v1/config`; when it fails, the enrollment's config (without its spent token) with a warning. */
export async function registeredConfigStep(
  redeemed: Redeemed,
  centralUrl: string,
  jwt: string,
  fetchFn: typeof fetch,
  io: Io,
): Promise<Config> {
  try {
    const { config } = await fetchRegisteredConfig(fetchFn, centralUrl, jwt);
    io.out("✓ Gateway config fetched from the Central server");
    // The connection is the one just made; the registered config says how the gateway records.
    return {
      ...config,
      central_server: { ...redeemed.config.central_server!, ...config.central_server, url: centralUrl },
    };
  } catch (error) {
    const detail = error instanceof EnrollmentClientError && error.kind === "no_config"
      ? `no config is registered for ${redeemed.gatewayId} (the gateway cannot ship until the operator runs ` +
        `ctvs config set ${redeemed.gatewayId} --file <config.json>)`
      : errorMessage(error);
    io.err(`warning: cannot fetch the registered config: ${detail}; writing the config the join code came with`);
    return redeemed.config;
  }
}
