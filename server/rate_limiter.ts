/**
 * A sliding-window rate limit per key (a client IP, a gateway id): at most `limit` requests in any `windowMs`, and
 * the 429 a refused request answers.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/** Options of a {@linkcode RateLimiter}. */
export interface RateLimiterOptions {
  /** Requests allowed per window. */
  limit: number;
  /** The window length. */
  windowMs: number;
  /** The clock; injectable for tests. */
  now?: () => number;
}

/** Keys kept before stale ones are swept, so a flood of distinct keys cannot grow the map without bound. */
const SWEEP_AT = 10_000;

/**
 * Counts requests per key in memory. Each replica of a Central server counts its own requests: N replicas behind one
 * address let a client through N times the limit.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { RateLimiter } from "./rate_limiter.ts";
 * let now = 0;
 * const limiter = new RateLimiter({ limit: 2, windowMs: 60_000, now: () => now });
 * assert.equal(limiter.take("ip"), 0);
 * assert.equal(limiter.take("ip"), 0);
 * assert.equal(limiter.take("ip"), 60);
 * now = 60_000;
 * assert.equal(limiter.take("ip"), 0);
 * ```
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, number[]>();

  constructor(options: RateLimiterOptions) {
    this.#limit = options.limit;
    this.#windowMs = options.windowMs;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Counts one request for `key`. Returns 0 when it is allowed, else the whole seconds until it would be (at least
   * 1); a refused request is not counted.
   */
  take(key: string): number {
    const now = this.#now();
    if (this.#hits.size >= SWEEP_AT) this.#sweep(now);
    const recent = (this.#hits.get(key) ?? []).filter((t) => t > now - this.#windowMs);
    if (recent.length >= this.#limit) {
      this.#hits.set(key, recent);
      return Math.max(1, Math.ceil((recent[0] + this.#windowMs - now) / 1000));
    }
    recent.push(now);
    this.#hits.set(key, recent);
    return 0;
  }

  #sweep(now: number): void {
    for (const [key, times] of this.#hits) {
      if (times[times.length - 1] <= now - this.#windowMs) this.#hits.delete(key);
    }
  }
}

/** Throws the 429 when a limiter refused (`retryAfter` > 0). */
export function limit(retryAfter: number): void {
  if (retryAfter === 0) return;
  throw new HttpError(429, { error: "rate limited", retry_after_seconds: retryAfter }, {
    "retry-after": String(retryAfter),
  });
}
