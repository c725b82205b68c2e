/**
 * What Central, the rendezvous service and `ctvs join` say to each other (reference §10.7): the registration of an
 * invite and the answer to a resolve, and the checks both sides apply to what they receive.
 *
 * @module
 */

/** What Central registers: `POST /v1/rendezvous/invites`. */
export interface InviteRegistration {
  /** sha256 hex of the join code. */
  join_code_hash: string;
  /** Central's URL, as gateways reach it. */
  connect_url: string;
  /** The gateway id the invite mints (the prefix of `<id>-<n>` for a code with several uses). */
  gateway_id: string;
  /** ISO time. */
  expires_at: string;
  display_name?: string;
}

/** What a resolve answers: `POST /v1/rendezvous/resolve`. */
export interface ResolvedInvite {
  connect_url: string;
  gateway_id: string;
  /** ISO time. */
  expires_at: string;
  display_name?: string;
}

/**
 * Whether `value` can be shown as an invite's name: 1 to 200 characters, none of them a control character (a name
 * is printed on the joining host's terminal).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isDisplayName("Ada's laptop"), true);
 * assert.equal(isDisplayName("a\u001b[2Jb"), false);
 * assert.equal(isDisplayName(""), false);
 * ```
 */
export function isDisplayName(value: unknown): value is string {
  return typeof value === "string" && value.length >= 1 && value.length <= 200 &&
    // deno-lint-ignore no-control-regex
    !/[\u0000-\u001f\u007f-\u009f]/.test(value);
}
