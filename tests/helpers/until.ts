/**
 * Waiting in tests for a condition nothing announces (a file appearing, a row landing, a port refusing): `check` is
 * polled until it holds, with a deadline that fails the test saying what it waited for.
 *
 * @module
 */

/** How {@linkcode until} polls. */
export interface UntilOptions {
  /** How long to wait at most (default 10 s). */
  timeoutMs?: number;
  /** The pause between two checks (default 50 ms). */
  intervalMs?: number;
}

/**
 * Resolves once `check` returns true; throws `timed out after <s> s waiting until <what>` past the deadline.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { until } from "./until.ts";
 * let calls = 0;
 * await until("the third call", () => ++calls === 3, { intervalMs: 1 });
 * assert.equal(calls, 3);
 * await assert.rejects(until("never", () => false, { timeoutMs: 20 }), /timed out after 0.02 s waiting until never/);
 * ```
 */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  options: UntilOptions = {},
): Promise<void> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * Resolves with what `read` returns once it stops throwing (an assertion that holds, a file that can be read);
 * past the deadline, throws what it threw last.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { eventually } from "./until.ts";
 * let calls = 0;
 * assert.equal(await eventually(() => { if (++calls < 3) throw new Error("not yet"); return calls; }), 3);
 * await assert.rejects(eventually(() => { throw new Error("never"); }, { timeoutMs: 20 }), /never/);
 * ```
 */
export async function eventually<T>(read: () => T | Promise<T>, options: UntilOptions = {}): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/**
 * Reads until `done` accepts what `read` gives or the deadline passes, and resolves with the last value read either
 * way: the caller's assertion on it then shows what there was.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { settled } from "./until.ts";
 * let n = 0;
 * assert.equal(await settled(() => ++n, (v) => v === 3, { intervalMs: 1 }), 3);
 * assert.equal(await settled(() => "never", (v) => v === "done", { timeoutMs: 20 }), "never");
 * ```
 */
export async function settled<T>(
  read: () => T | Promise<T>,
  done: (value: T) => boolean,
  options: UntilOptions = {},
): Promise<T> {
  const { timeoutMs = 10_000, intervalMs = 50 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
