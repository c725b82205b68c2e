/**
 * Which Claude Code session a request belongs to (reference §4.7): `metadata.user_id` of the JSON body (itself a
 * JSON string holding `session_id` in current Claude Code, `user_..._session_<uuid>` in older ones), else the
 * `x-claude-code-session-id` header.
 *
 * @module
 */

/**
 * The session id of a request, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const body = JSON.stringify({ metadata: { user_id: JSON.stringify({ session_id: "s-1" }) } });
 * assert.equal(sessionIdOf(body, new Headers()), "s-1");
 * assert.equal(sessionIdOf("{}", new Headers({ "x-claude-code-session-id": "s-2" })), "s-2");
 * ```
 */
export function sessionIdOf(body: string, headers: Headers): string | undefined {
  return fromBody(body) ?? (headers.get("x-claude-code-session-id") || undefined);
}

function fromBody(body: string): string | undefined {
  // Only a JSON object can carry metadata; skip the parse for anything else.
  if (!body.includes('"user_id"')) return undefined;
  try {
    const userId = JSON.parse(body)?.metadata?.user_id;
    return typeof userId === "string" ? sessionIdOfUserId(userId) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The session id inside a `metadata.user_id`: its `session_id` when it is a JSON string (current Claude Code), the
 * `_session_<uuid>` suffix of older ones; else undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sessionIdOfUserId('{"device_id":"d","session_id":"s-1"}'), "s-1");
 * assert.equal(sessionIdOfUserId("user_abc_account__session_0f1e-2d3c"), "0f1e-2d3c");
 * assert.equal(sessionIdOfUserId("someone"), undefined);
 * ```
 */
export function sessionIdOfUserId(userId: string): string | undefined {
  if (!userId.startsWith("{")) return /_session_([0-9a-f-]+)$/i.exec(userId)?.[1];
  try {
    const id = JSON.parse(userId)?.session_id;
    return typeof id === "string" && id ? id : undefined;
  } catch {
    return undefined;
  }
}
