/**
 * Reading a failed answer from one of our services (Central, the rendezvous service): what its error body says, for
 * an operator's terminal, and how long its `Retry-After` asks to wait.
 *
 * @module
 */
import { escapeControlCharacters } from "../platform/escape_control.ts";

/**
 * The `error` (and `reason`) of an error body from Central or the rendezvous service, for messages: `401 invalid bootstrap token (already_used)`.
 * Control characters are shown escaped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const answer = Response.json({ error: "bad\u001b[2J", reason: "x" }, { status: 401 });
 * assert.equal(await describeFailure(answer), "401 bad\\u001b[2J (x)");
 * ```
 */
export async function describeFailure(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  let detail = text.slice(0, 200);
  try {
    const body = JSON.parse(text);
    if (typeof body?.error === "string") detail = body.reason ? `${body.error} (${body.reason})` : body.error;
  } catch {
    // Not JSON: the text itself.
  }
  // The text comes from the network and ends up on a terminal.
  detail = escapeControlCharacters(detail);
  return `${response.status}${detail ? ` ${detail}` : ""}`;
}

/**
 * Seconds to wait from a `Retry-After` header (seconds or an HTTP date), else `fallback`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(retryAfterSeconds("7", 1), 7);
 * assert.equal(retryAfterSeconds(null, 1), 1);
 * assert.equal(retryAfterSeconds(new Date(Date.now() + 3000).toUTCString(), 1) > 1, true);
 * ```
 */
export function retryAfterSeconds(header: string | null, fallback: number): number {
  if (!header) return fallback;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  const date = Date.parse(header);
  if (Number.isFinite(date)) return Math.max(0, (date - Date.now()) / 1000);
  return fallback;
}
