/**
 * A counting semaphore: at most `size` holders at once, the others wait in arrival order. The receiver takes a slot
 * before reading a body and gives it back once the rows are written, so only a few requests' bodies, objects and
 * lines are in memory at a time; the rest wait with their bodies unread (back-pressure reaches the senders through
 * TCP), and throughput does not suffer since decoding runs on one thread anyway.
 *
 * @module
 */

/**
 * Slots for `size` concurrent holders.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Slots } from "./slots.ts";
 *
 * const slots = new Slots(1);
 * const order: string[] = [];
 * const first = slots.run(async () => { await Promise.resolve(); order.push("first"); });
 * const second = slots.run(async () => { order.push("second"); });
 * await Promise.all([first, second]);
 * assert.deepEqual(order, ["first", "second"]);
 * ```
 */
export class Slots {
  readonly #waiting: (() => void)[] = [];
  #free: number;

  /** `size` slots, all free. */
  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Cannot make ${size} slots: at least 1 is needed`);
    this.#free = size;
  }

  /** Runs `work` once a slot is free, and frees it when `work` settles. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await work();
    } finally {
      const next = this.#waiting.shift();
      if (next) next(); // the slot passes straight to the next waiter
      else this.#free++;
    }
  }
}
