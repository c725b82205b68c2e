/**
 * Retrying S3 calls: up to 3 attempts, waiting 1000 ms x 4^attempt between them (1 s, then 4 s), only for
 * errors {@link S3Error} marks transient.
 *
 * @module
 */
import { S3Error } from "./s3_error.ts";

/** How retries are paced. */
export interface RetryPolicy {
  /** Total attempts, the first included (default 3). */
  attempts: number;
  /** The wait after the first failure; each later wait is 4x the previous (default 1000 ms). */
  baseDelayMs: number;
}

/** The policy of the reference uploader. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 3, baseDelayMs: 1000 };

/**
 * Runs `call` until it succeeds, fails permanently, or runs out of attempts; the last error is thrown.
 *
 * @param call The request to make; called again on a transient failure.
 * @param policy Attempts and pacing.
 * @returns What `call` resolved with.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { withRetry } from "./retry.ts";
 * import { S3Error } from "./s3_error.ts";
 * let calls = 0;
 * const value = await withRetry(() => ++calls < 2 ? Promise.reject(new S3Error("busy", 503)) : Promise.resolve(7),
 *   { attempts: 3, baseDelayMs: 1 });
 * assert.deepEqual([value, calls], [7, 2]);
 * ```
 */
export async function withRetry<T>(call: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await call();
    } catch (error) {
      // Anything but a transient S3Error (a local file error, a bug) would fail the same way again.
      const transient = error instanceof S3Error && error.retryable;
      if (!transient || attempt + 1 >= policy.attempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.baseDelayMs * 4 ** attempt));
    }
  }
}
