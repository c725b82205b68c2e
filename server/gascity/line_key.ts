/**
 * The key that identifies one provider transcript line across reconnects, restarts and backfills: Claude Code's
 * own `uuid`; for lines without one (Codex rollout lines, Claude Code summaries), a hash of the line, which the
 * supervisor forwards verbatim, so the same line always gets the same key.
 *
 * @module
 */
import { createHash } from "node:crypto";

/**
 * The key of `line`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(lineKey({ uuid: "9f1c", type: "user" }), "9f1c");
 * assert.equal(lineKey({ type: "event_msg", payload: { type: "token_count" } }), lineKey({ type: "event_msg", payload: { type: "token_count" } }));
 * assert.match(lineKey({ type: "session_meta" }), /^sha256:[0-9a-f]{32}$/);
 * ```
 */
export function lineKey(line: unknown): string {
  const uuid = (line as { uuid?: unknown } | null)?.uuid;
  if (typeof uuid === "string" && uuid !== "" && !/\s/.test(uuid)) return uuid;
  return `sha256:${createHash("sha256").update(JSON.stringify(line) ?? "").digest("hex").slice(0, 32)}`;
}
