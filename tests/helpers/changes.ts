/**
 * Waiting on an event rather than a sleep: whatever a test watches (a child's output, a test server's connections)
 * calls `notify()` when it changes, and a wait re-checks its condition then, with a deadline only for failure.
 *
 * @module
 */

/** Conditions re-checked at each reported change. */
export class Changes {
  #waiters: (() => void)[] = [];

  /** Something changed: re-check every pending wait. */
  notify(): void {
    for (const waiter of this.#waiters.splice(0)) waiter();
  }

  /** Resolves once `check()` holds (now, or at a later change); rejects after `timeoutMs` saying `what`. */
  until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const test = () => {
        if (!check()) return void this.#waiters.push(test);
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.#waiters = this.#waiters.filter((w) => w !== test);
        reject(new Error(`timed out waiting until ${what}`));
      }, timeoutMs);
      test();
    });
  }
}
