/**
 * The one error type of the S3 client, and the one table that says which failures are worth retrying.
 *
 * @module
 */

/** Whether a failure can go away by itself (retry) or needs a person (permanent). */
export type Retryability = "transient" | "permanent";

/**
 * The retry policy, decided where the error is created: network errors, 5xx and 429 are transient; every other
 * status (403 bad signature, 404, 409, 412, ...) is permanent.
 *
 * @param status The HTTP status, or undefined for a network error (no response at all).
 * @returns Whether retrying can help.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { classifyStatus } from "./s3_error.ts";
 * assert.deepEqual(classifyStatus(503), "transient");
 * assert.deepEqual(classifyStatus(403), "permanent");
 * ```
 */
export function classifyStatus(status: number | undefined): Retryability {
  if (status === undefined || status === 429 || status >= 500) return "transient";
  return "permanent";
}

/** A failed S3 request: `s3 <METHOD> <bucket>/<key> returned <status>: <body>`, or the network error. */
export class S3Error extends Error {
  /** The HTTP status; undefined when the request never got a response. */
  readonly statusCode: number | undefined;
  /** From {@link classifyStatus}. */
  readonly retryability: Retryability;

  constructor(message: string, statusCode: number | undefined, options?: ErrorOptions) {
    super(message, options);
    this.name = "S3Error";
    this.statusCode = statusCode;
    this.retryability = classifyStatus(statusCode);
  }

  /** True when retrying may succeed. */
  get retryable(): boolean {
    return this.retryability === "transient";
  }
}

/** The error for an HTTP answer outside 2xx; the body is cut to keep log lines readable. */
export function statusError(method: string, target: string, status: number, body: string): S3Error {
  const text = body.length > 500 ? `${body.slice(0, 500)}...` : body;
  return new S3Error(`s3 ${method} ${target} returned ${status}: ${text}`, status);
}

/** The error for a request that got no answer (refused, reset, timed out). */
export function networkError(method: string, target: string, cause: unknown): S3Error {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new S3Error(`s3 ${method} ${target} failed: ${reason}`, undefined, { cause });
}
