/**
 * A growable byte buffer that is filled, read as a view, cleared and filled again: a request body or a batch of
 * lines reuses the memory of the previous one instead of allocating its own. Large buffers allocated and dropped at
 * a high rate are what makes the process's native heap grow and stay grown.
 *
 * @module
 */

const encoder = new TextEncoder();

/**
 * `parts` joined into one new array.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { concatBytes } from "./byte_buffer.ts";
 *
 * assert.deepEqual(concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]), new Uint8Array([1, 2, 3]));
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  let total = 0;
  for (const part of parts) total += part.byteLength;
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

/**
 * Bytes appended in order, kept in one buffer that doubles when full.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteBuffer } from "./byte_buffer.ts";
 *
 * const buffer = new ByteBuffer(2);
 * buffer.append(new Uint8Array([0x68, 0x69]));
 * buffer.appendText(" é");
 * assert.equal(new TextDecoder().decode(buffer.bytes()), "hi é");
 * buffer.clear();
 * assert.equal(buffer.byteLength, 0);
 * ```
 */
export class ByteBuffer {
  readonly #initial: number;
  #buffer: Uint8Array;
  #length = 0;

  /** An empty buffer of `capacity` bytes to start with (it grows as needed). */
  constructor(capacity = 64 * 1024) {
    this.#initial = Math.max(16, capacity);
    this.#buffer = new Uint8Array(this.#initial);
  }

  /** How many bytes it holds. */
  get byteLength(): number {
    return this.#length;
  }

  /** How many bytes it can hold before it has to grow. */
  get capacity(): number {
    return this.#buffer.byteLength;
  }

  /** Appends `bytes`. */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.byteLength);
    this.#buffer.set(bytes, this.#length);
    this.#length += bytes.byteLength;
  }

  /** Appends `text` as UTF-8. */
  appendText(text: string): void {
    // UTF-16 to UTF-8 takes at most 3 bytes per code unit.
    this.reserve(text.length * 3);
    this.#length += encoder.encodeInto(text, this.#buffer.subarray(this.#length)).written;
  }

  /** Appends one byte. */
  appendByte(byte: number): void {
    this.reserve(1);
    this.#buffer[this.#length++] = byte;
  }

  /** Makes room for `bytes` more bytes now, so that appending them does not grow the buffer step by step. */
  reserve(bytes: number): void {
    const needed = this.#length + bytes;
    if (needed <= this.#buffer.byteLength) return;
    const grown = new Uint8Array(Math.max(needed, this.#buffer.byteLength * 2));
    grown.set(this.#buffer.subarray(0, this.#length));
    this.#buffer = grown;
  }

  /**
   * Reads the next chunk of `reader` straight into the room after the bytes held (`room` bytes of it, made if
   * needed): no chunk is allocated on the way. Resolves with whether the stream is done. A BYOB read moves the memory
   * to a new ArrayBuffer, which the buffer takes back; if the read fails after taking it, the buffer starts over
   * empty (the caller is failing anyway).
   */
  async readFrom(reader: ReadableStreamBYOBReader, room: number): Promise<boolean> {
    this.reserve(room);
    try {
      const { done, value } = await reader.read(this.#buffer.subarray(this.#length, this.#length + room));
      if (value !== undefined) {
        this.#buffer = new Uint8Array(value.buffer);
        this.#length += value.byteLength;
      }
      return done;
    } finally {
      if (this.#buffer.byteLength === 0) {
        this.#buffer = new Uint8Array(this.#initial);
        this.#length = 0;
      }
    }
  }

  /** The bytes from `start` to `end` (all of them by default), as a view: valid until the next append or clear. */
  bytes(start = 0, end = this.#length): Uint8Array {
    return this.#buffer.subarray(start, end);
  }

  /** Empties the buffer; keeps its memory for what comes next, unless it grew past `keepBytes` (then starts small). */
  clear(keepBytes = Infinity): void {
    this.#length = 0;
    if (this.#buffer.byteLength > keepBytes) this.#buffer = new Uint8Array(this.#initial);
  }
}
