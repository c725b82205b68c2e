/**
 * A counting semaphore whose slots each own something reusable: at most `size` holders at once, the others wait in
 * arrival order. The OTLP receiver (and Central's ingest) takes a slot before reading a body and gives it back once the
 * rows are written, so only a few requests' bodies, objects and lines are in memory at a time; the rest wait with their
 * bodies unread (back-pressure reaches the senders through TCP), and throughput does not suffer since decoding runs on
 * one thread anyway. What a slot owns (the receiver's: buffers for a body and its lines) serves its holders one after
 * another.
 *
 * @module
 */

/**
 * Slots for `size` concurrent holders, each lent a `T` made by `make` on first use and reused after.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Slots } from "./slots.ts";
 *
 * const slots = new Slots(1, () => [] as string[]);
 * const first = slots.run(async (order) => { await Promise.resolve(); order.push("first"); });
 * const second = slots.run(async (order) => { order.push("second"); return order; });
 * await first;
 * assert.deepEqual(await second, ["first", "second"]);
 * ```
 */
export class Slots<T> {
  readonly #waiting: ((item: T) => void)[] = [];
  /** The items of free slots that have made one. */
  readonly #items: T[] = [];
  readonly #make: () => T;
  #free: number;

  /** `size` slots, all free. */
  constructor(size: number, make: () => T) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`Cannot make ${size} slots: at least 1 is needed`);
    this.#free = size;
    this.#make = make;
  }

  /** Runs `work` with a slot's item once a slot is free, and frees the slot when `work` settles. */
  async run<R>(work: (item: T) => Promise<R>): Promise<R> {
    let item: T;
    if (this.#free > 0) {
      this.#free--;
      item = this.#items.pop() ?? this.#make();
    } else {
      item = await new Promise<T>((resolve) => this.#waiting.push(resolve));
    }
    try {
      return await work(item);
    } finally {
      const next = this.#waiting.shift();
      if (next) next(item); // the slot passes straight to the next waiter
      else {
        this.#items.push(item);
        this.#free++;
      }
    }
  }
}
