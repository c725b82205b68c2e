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
    if (typeof userId !== "string") return undefined;
    if (userId.startsWith("{")) {
      const id = JSON.parse(userId)?.session_id;
      return typeof id === "string" && id ? id : undefined;
    }
    return /_session_([0-9a-f-]+)$/i.exec(userId)?.[1];
  } catch {
    return undefined;
  }
}
