/**
 * Reconnect delays for the Gas City streams: exponential with jitter, capped, reset once a connection has worked,
 * and an abortable sleep to wait them out.
 *
 * @module
 */
/** Options of a {@linkcode Backoff}. */
export interface BackoffOptions {
  /** The first delay (default 500 ms). */
  initialMs?: number;
  /** The largest delay (default 30 s). */
  maxMs?: number;
  /** Each delay is up to this fraction shorter or longer, so many clients do not reconnect in step (default 0.2). */
  jitter?: number;
  /** A number in [0, 1); injectable for tests. */
  random?: () => number;
}

/**
 * The delays before each reconnect attempt: `initialMs`, doubling up to `maxMs`, each jittered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const backoff = new Backoff({ initialMs: 100, maxMs: 350, jitter: 0 });
 * assert.deepEqual([backoff.next(), backoff.next(), backoff.next(), backoff.next()], [100, 200, 350, 350]);
 * backoff.reset();
 * assert.equal(backoff.next(), 100);
 * ```
 */
export class Backoff {
  readonly #initialMs: number;
  readonly #maxMs: number;
  readonly #jitter: number;
  readonly #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initialMs = options.initialMs ?? 500;
    this.#maxMs = options.maxMs ?? 30_000;
    this.#jitter = options.jitter ?? 0.2;
    this.#random = options.random ?? Math.random;
  }

  /** How many delays were handed out since the last reset. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The next delay in milliseconds. */
  next(): number {
    const base = Math.min(this.#maxMs, this.#initialMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    const spread = base * this.#jitter * (2 * this.#random() - 1);
    return Math.max(0, Math.round(Math.min(this.#maxMs, base + spread)));
  }

  /** Starts over from `initialMs` (a connection worked). */
  reset(): void {
    this.#attempt = 0;
  }
}

/**
 * Resolves after `ms`, or at once when `signal` aborts (it never rejects).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const controller = new AbortController();
 * const started = Date.now();
 * const waiting = sleep(60_000, controller.signal);
 * controller.abort();
 * await waiting;
 * assert.ok(Date.now() - started < 1000);
 * ```
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
