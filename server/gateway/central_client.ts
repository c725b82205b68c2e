/**
 * A gateway's requests to its Central server: the base URL joined with a path, JSON in and out, a timeout on every
 * request, and failures worded for an operator (`failed to reach central server <url>: <cause>`). What an error
 * answer says and when to try again are read by `../failed_response.ts`, which the rendezvous client shares.
 *
 * @module
 */
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

function reachFailure(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const message = errorMessage(error);
  if (cause instanceof Error && message === "fetch failed") return cause.message;
  return message;
}
