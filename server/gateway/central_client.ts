/**
 * A gateway's requests to its Central server: the base URL joined with a path, JSON in and out, a timeout on every
 * request, and failures worded for an operator (`failed to reach central server <url>: <cause>`).
 *
 * @module
 */
import { escapeControlCharacters } from "../../platform/escape_control.ts";
import { errorMessage } from "../../platform/runtime.ts";

/** How long one request to Central may take. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Central could not be reached (network, timeout): worth trying again later. */
export class CentralUnreachableError extends Error {
  constructor(url: string, cause: unknown) {
    super(`failed to reach central server ${url}: ${reachFailure(cause)}`, { cause });
    this.name = "CentralUnreachableError";
  }
}

/** `base` (a Central URL, maybe with a path) and `path` joined with one slash. */
export function centralUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}${path}`;
}

/**
 * `fetch` of `url`, turning a network failure or a timeout into a {@linkcode CentralUnreachableError}. Answers of
 * any status are returned.
 */
export async function callCentral(
  fetchFn: typeof fetch,
  url: string,
  init: RequestInit & { timeoutMs?: number } = {},
): Promise<Response> {
  const timeout = AbortSignal.timeout(init.timeoutMs ?? REQUEST_TIMEOUT_MS);
  const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
  try {
    return await fetchFn(url, { ...init, signal });
  } catch (error) {
    if (init.signal?.aborted) throw error;
    throw new CentralUnreachableError(url, timeout.aborted ? new Error("timed out") : error);
  }
}

/**
 * The `error` (and `reason`) of a Central error body, for messages: `401 invalid bootstrap token (already_used)`.
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

function reachFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const message = errorMessage(error);
  if (cause instanceof Error && message === "fetch failed") return cause.message;
  return message;
}
