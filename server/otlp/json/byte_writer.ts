/**
 * The output side of the OTLP/JSON fast path: JSON text written byte by byte, or copied in ranges from the request,
 * into a buffer that grows and is reused request after request.
 *
 * @module
 */

const encoder = new TextEncoder();

/** Past this size a writer's buffer is dropped after use (a huge request), so memory goes back to its first size. */
const KEEP_BYTES = 4 * 1024 * 1024;
const INITIAL_BYTES = 64 * 1024;

/**
 * A growable byte buffer written at `pos`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteWriter, utf8 } from "./byte_writer.ts";
 *
 * const w = new ByteWriter();
 * w.constant(utf8('{"n":'));
 * w.ascii(String(1.5));
 * w.byte(0x7d);
 * assert.equal(new TextDecoder().decode(w.view()), '{"n":1.5}');
 * ```
 */
export class ByteWriter {
  buffer = new Uint8Array(INITIAL_BYTES);
  pos = 0;

  /** Makes room for `n` more bytes. */
  ensure(n: number): void {
    if (this.pos + n > this.buffer.length) this.#grow(n);
  }

  #grow(n: number): void {
    const grown = new Uint8Array(Math.max(this.pos + n, this.buffer.length * 2));
    grown.set(this.buffer.subarray(0, this.pos));
    this.buffer = grown;
  }

  /** Writes one byte. */
  byte(b: number): void {
    if (this.pos >= this.buffer.length) this.#grow(1);
    this.buffer[this.pos++] = b;
  }

  /** Writes `bytes` (a short constant: copied in a loop, which beats a native call for a few bytes). */
  constant(bytes: Uint8Array): void {
    const n = bytes.length;
    if (this.pos + n > this.buffer.length) this.#grow(n);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buffer[pos++] = bytes[i];
    this.pos = pos;
  }

  /** Copies `source[start..end)`. */
  range(source: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.pos + n > this.buffer.length) this.#grow(n);
    const buffer = this.buffer;
    let pos = this.pos;
    if (n > 64) {
      buffer.set(source.subarray(start, end), pos);
      pos += n;
    } else {
      for (let i = start; i < end; i++) buffer[pos++] = source[i];
    }
    this.pos = pos;
  }

  /** Writes `text`, which must be ASCII (a number, a timestamp). */
  ascii(text: string): void {
    const n = text.length;
    if (this.pos + n > this.buffer.length) this.#grow(n);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < n; i++) buffer[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Writes `text` as UTF-8. */
  text(text: string): void {
    this.ensure(text.length * 3);
    this.pos += encoder.encodeInto(text, this.buffer.subarray(this.pos)).written;
  }

  /** The bytes written, as a view (valid until the next write or reset). */
  view(start = 0, end = this.pos): Uint8Array {
    return this.buffer.subarray(start, end);
  }

  /** Empties the writer; a buffer grown past a few MiB is let go. */
  reset(): void {
    this.pos = 0;
    if (this.buffer.length > KEEP_BYTES) this.buffer = new Uint8Array(INITIAL_BYTES);
  }
}

/** The UTF-8 bytes of `text`: for the constant pieces of the rows. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}
