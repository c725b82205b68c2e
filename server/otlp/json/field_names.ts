/**
 * The field names of one OTLP/JSON message, looked up by the key the {@link JsonScanner} just read, without making a
 * string of it: the key's hash picks a slot, and its bytes are compared with the name there.
 *
 * @module
 */
import { utf8 } from "./byte_writer.ts";
import { type JsonScanner, keyHash } from "./json_scanner.ts";

/**
 * A lookup from a key to its index in `names` (-1 for any other key).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { FieldNames } from "./field_names.ts";
 * import { JsonScanner } from "./json_scanner.ts";
 *
 * const fields = new FieldNames(["traceId", "spanId"]);
 * const s = new JsonScanner(new TextEncoder().encode('{"spanId":"x"}'), 0);
 * s.enterObject();
 * s.key();
 * assert.equal(fields.of(s), 1);
 * ```
 */
export class FieldNames {
  readonly #names: Uint8Array[];
  readonly #slots: Int32Array;
  readonly #mask: number;

  /** The lookup of `names` (ASCII). */
  constructor(names: readonly string[]) {
    this.#names = names.map(utf8);
    let size = 16;
    while (size < names.length * 4) size *= 2;
    this.#mask = size - 1;
    this.#slots = new Int32Array(size).fill(-1);
    this.#names.forEach((name, index) => {
      let slot = keyHash(name, 0, name.length) & this.#mask;
      while (this.#slots[slot] !== -1) slot = (slot + 1) & this.#mask;
      this.#slots[slot] = index;
    });
  }

  /** The index of the key `s` just read, or -1. */
  of(s: JsonScanner): number {
    let slot = s.hash & this.#mask;
    for (;;) {
      const index = this.#slots[slot];
      if (index === -1) return -1;
      if (s.keyIs(this.#names[index])) return index;
      slot = (slot + 1) & this.#mask;
    }
  }
}
