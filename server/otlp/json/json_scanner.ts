/**
 * A strict JSON tokenizer over UTF-8 bytes for the OTLP/JSON fast path ({@link transcodeJsonRequest}): it reads
 * keys, strings, numbers and literals where they are, without making strings or objects, and checks the grammar
 * as `JSON.parse` would. Whatever it does not take on (a key with an escape, a string with a raw control character,
 * anything malformed) throws {@link BAIL}: the caller then hands the whole body to the general path, which parses
 * it with `JSON.parse` and answers the 400 if there is one. So the fast path never has to get an error message
 * right, only to recognize what it cannot handle.
 *
 * @module
 */

/** What the fast path throws when it leaves a body to the general path; an object without a stack, cheap to throw. */
export const BAIL: { readonly bail: true } = Object.freeze({ bail: true });

/** How deep a skipped value may nest before the body is left to the general path (which refuses past 256). */
const MAX_SKIP_DEPTH = 200;

const utf8 = new TextDecoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
export const OPEN_BRACE = 0x7b;
export const CLOSE_BRACE = 0x7d;
export const OPEN_BRACKET = 0x5b;
export const CLOSE_BRACKET = 0x5d;
const LOWER_E = 0x65;
const UPPER_E = 0x45;

/** A string without escapes. */
export const NO_ESCAPES = 0;
/** A string whose escapes are all ones `JSON.stringify` writes the same way (`\"`, `\\`, `\n`, `\r`, `\t`, `\b`, `\f`). */
export const SAME_ESCAPES = 1;
/** A string with an escape `JSON.stringify` would write otherwise (`\/`, `\u....`). */
export const OTHER_ESCAPES = 2;

/**
 * A cursor over one JSON text. Its methods read the token at the cursor (after whitespace) and leave the cursor
 * after it; what a token was is left in fields (`start`, `end`, `escapes`, `integer`) for the caller to use before
 * the next read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonScanner } from "./json_scanner.ts";
 *
 * const s = new JsonScanner(new TextEncoder().encode('{"a": [1, "x"]}'), 0);
 * assert.equal(s.enterObject(), true);
 * s.key();
 * assert.equal(s.end - s.start, 1);
 * assert.equal(s.enterArray(), true);
 * s.number();
 * assert.equal(s.integer, 1);
 * assert.equal(s.nextItem(), true);
 * s.string();
 * assert.equal(s.nextItem(), false);
 * assert.equal(s.nextMember(), false);
 * ```
 */
export class JsonScanner {
  /** The text. */
  readonly bytes: Uint8Array;
  /** The cursor. */
  pos: number;
  /** Where the text ends (exclusive). */
  readonly limit: number;
  /** The last key or string read: its content, between the quotes. */
  start = 0;
  end = 0;
  /** The escapes of the last string read. */
  escapes = NO_ESCAPES;
  /** A hash of the last key read, to tell keys apart quickly. */
  hash = 0;
  /** The last number read when it is an integer written plainly (no fraction, exponent or leading zero) of at most 15 digits; else NaN. */
  integer = NaN;
  /** Whether some string held a byte of a multi-byte UTF-8 sequence (the body must then be checked as UTF-8). */
  nonAscii = false;

  /** A scanner of `bytes` from `pos` up to `limit` (its length by default). */
  constructor(bytes: Uint8Array, pos: number, limit = bytes.byteLength) {
    this.bytes = bytes;
    this.pos = pos;
    this.limit = limit;
  }

  /**
   * Skips whitespace; returns the byte at the cursor, or -1 at the end. A line break bails: a body on several lines
   * is not its own raw line, and the general path re-serializes it.
   */
  peek(): number {
    const bytes = this.bytes;
    let pos = this.pos;
    while (pos < this.limit) {
      const c = bytes[pos];
      if (c !== 0x20 && c !== 0x09) {
        if (c === 0x0a || c === 0x0d) throw BAIL;
        this.pos = pos;
        return c;
      }
      pos++;
    }
    this.pos = pos;
    return -1;
  }

  /** True when only whitespace is left. */
  atEnd(): boolean {
    return this.peek() === -1;
  }

  /** Reads `null` if it is next: true when it was. */
  null(): boolean {
    if (this.peek() !== 0x6e) return false;
    const b = this.bytes;
    const p = this.pos;
    if (p + 4 > this.limit || b[p + 1] !== 0x75 || b[p + 2] !== 0x6c || b[p + 3] !== 0x6c) throw BAIL;
    this.pos = p + 4;
    return true;
  }

  /** Reads `true` or `false`; anything else bails. */
  boolean(): boolean {
    const c = this.peek();
    const b = this.bytes;
    const p = this.pos;
    if (c === 0x74 && p + 4 <= this.limit && b[p + 1] === 0x72 && b[p + 2] === 0x75 && b[p + 3] === 0x65) {
      this.pos = p + 4;
      return true;
    }
    if (
      c === 0x66 && p + 5 <= this.limit && b[p + 1] === 0x61 && b[p + 2] === 0x6c && b[p + 3] === 0x73 &&
      b[p + 4] === 0x65
    ) {
      this.pos = p + 5;
      return false;
    }
    throw BAIL;
  }

  /** Reads `{`: true when the object has members (the cursor is then at the first key), false for `{}`. */
  enterObject(): boolean {
    if (this.peek() !== OPEN_BRACE) throw BAIL;
    this.pos++;
    if (this.peek() !== CLOSE_BRACE) return true;
    this.pos++;
    return false;
  }

  /** After a member's value: true when another member follows (`,`), false at `}`. */
  nextMember(): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c === CLOSE_BRACE) return false;
    throw BAIL;
  }

  /** Reads `[`: true when the array has items, false for `[]`. */
  enterArray(): boolean {
    if (this.peek() !== OPEN_BRACKET) throw BAIL;
    this.pos++;
    if (this.peek() !== CLOSE_BRACKET) return true;
    this.pos++;
    return false;
  }

  /** After an item: true when another item follows (`,`), false at `]`. */
  nextItem(): boolean {
    const c = this.peek();
    this.pos++;
    if (c === COMMA) return true;
    if (c === CLOSE_BRACKET) return false;
    throw BAIL;
  }

  /**
   * Reads a key and its colon: `start`/`end` bound its bytes and `hash` identifies it. A key with an escape bails
   * (no sender escapes OTLP's field names).
   */
  key(): void {
    if (this.peek() !== QUOTE) throw BAIL;
    const bytes = this.bytes;
    const limit = this.limit;
    let pos = this.pos + 1;
    const start = pos;
    for (;;) {
      if (pos >= limit) throw BAIL;
      const c = bytes[pos];
      if (c === QUOTE) break;
      if (c < 0x20 || c === BACKSLASH) throw BAIL;
      if (c >= 0x80) this.nonAscii = true;
      pos++;
    }
    this.start = start;
    this.end = pos;
    this.hash = keyHash(bytes, start, pos);
    this.pos = pos + 1;
    if (this.peek() !== COLON) throw BAIL;
    this.pos++;
  }

  /** True when the last key read is `name` (ASCII bytes). */
  keyIs(name: Uint8Array): boolean {
    const length = name.length;
    if (this.end - this.start !== length) return false;
    const bytes = this.bytes;
    const start = this.start;
    for (let i = 0; i < length; i++) if (bytes[start + i] !== name[i]) return false;
    return true;
  }

  /** True when the last key read contains an underscore: a snake_case field name, left to the general path. */
  keyHasUnderscore(): boolean {
    const bytes = this.bytes;
    for (let i = this.start; i < this.end; i++) if (bytes[i] === 0x5f) return true;
    return false;
  }

  /** True when the next token is a string. */
  atString(): boolean {
    return this.peek() === QUOTE;
  }

  /** Reads a string: `start`/`end` bound its bytes between the quotes and `escapes` says what escapes it has. */
  string(): void {
    if (this.peek() !== QUOTE) throw BAIL;
    const bytes = this.bytes;
    const limit = this.limit;
    let pos = this.pos + 1;
    const start = pos;
    let escapes = NO_ESCAPES;
    for (;;) {
      if (pos >= limit) throw BAIL;
      const c = bytes[pos];
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        const e = bytes[pos + 1];
        if (e === QUOTE || e === BACKSLASH || e === 0x6e || e === 0x72 || e === 0x74 || e === 0x62 || e === 0x66) {
          if (escapes === NO_ESCAPES) escapes = SAME_ESCAPES;
          pos += 2;
        } else if (e === 0x2f) {
          escapes = OTHER_ESCAPES;
          pos += 2;
        } else if (e === 0x75) {
          for (let i = 2; i < 6; i++) if (!isHexDigit(bytes[pos + i])) throw BAIL;
          escapes = OTHER_ESCAPES;
          pos += 6;
        } else {
          throw BAIL;
        }
        continue;
      }
      if (c < 0x20) throw BAIL;
      if (c >= 0x80) this.nonAscii = true;
      pos++;
    }
    this.start = start;
    this.end = pos;
    this.escapes = escapes;
    this.pos = pos + 1;
  }

  /** True when the next token is a number. */
  atNumber(): boolean {
    const c = this.peek();
    return c === MINUS || (c >= ZERO && c <= NINE);
  }

  /**
   * Reads a number as JSON's grammar has it: `start`/`end` bound it, and `integer` is its value when it is a plain
   * integer of at most 15 digits (exact in a double, written as `JSON.stringify` writes it), else NaN.
   */
  number(): void {
    const bytes = this.bytes;
    const limit = this.limit;
    this.peek();
    const start = this.pos;
    let pos = start;
    let negative = false;
    if (bytes[pos] === MINUS) {
      negative = true;
      pos++;
    }
    const first = pos;
    let value = 0;
    let c = bytes[pos];
    if (c === ZERO) {
      pos++;
    } else if (c > ZERO && c <= NINE) {
      while (pos < limit && (c = bytes[pos]) >= ZERO && c <= NINE) {
        value = value * 10 + (c - ZERO);
        pos++;
      }
    } else {
      throw BAIL;
    }
    const digits = pos - first;
    let plain = true;
    if (pos < limit && bytes[pos] === DOT) {
      plain = false;
      pos++;
      const from = pos;
      while (pos < limit && (c = bytes[pos]) >= ZERO && c <= NINE) pos++;
      if (pos === from) throw BAIL;
    }
    if (pos < limit && ((c = bytes[pos]) === LOWER_E || c === UPPER_E)) {
      plain = false;
      pos++;
      if (pos < limit && ((c = bytes[pos]) === PLUS || c === MINUS)) pos++;
      const from = pos;
      while (pos < limit && (c = bytes[pos]) >= ZERO && c <= NINE) pos++;
      if (pos === from) throw BAIL;
    }
    this.start = start;
    this.end = pos;
    this.pos = pos;
    // "-0" is an integer that JSON.stringify writes as "0": not plain.
    this.integer = plain && digits <= 15 && !(negative && value === 0) ? (negative ? -value : value) : NaN;
  }

  /** The text from `start` to `end`, which must be ASCII (a number, a short name). */
  ascii(start = this.start, end = this.end): string {
    return String.fromCharCode.apply(null, this.bytes.subarray(start, end) as unknown as number[]);
  }

  /**
   * Reads a value of any kind and returns it as `JSON.parse` makes it: the way to values in forms the fast path
   * leaves to the general normalizers (an id in base64, an enum by name, a timestamp as a number).
   */
  value(): unknown {
    this.peek();
    const from = this.pos;
    this.skip();
    return JSON.parse(utf8.decode(this.bytes.subarray(from, this.pos)));
  }

  /** Skips a value of any kind, checking its grammar. */
  skip(depth = 0): void {
    const c = this.peek();
    if (c === QUOTE) {
      this.string();
    } else if (c === OPEN_BRACE) {
      if (depth >= MAX_SKIP_DEPTH) throw BAIL;
      if (!this.enterObject()) return;
      do {
        this.string();
        if (this.peek() !== COLON) throw BAIL;
        this.pos++;
        this.skip(depth + 1);
      } while (this.nextMember());
    } else if (c === OPEN_BRACKET) {
      if (depth >= MAX_SKIP_DEPTH) throw BAIL;
      if (!this.enterArray()) return;
      do this.skip(depth + 1); while (this.nextItem());
    } else if (c === 0x74 || c === 0x66) {
      this.boolean();
    } else if (c === 0x6e) {
      this.null();
    } else {
      this.number();
    }
  }
}

/**
 * A key's hash, from its length and three of its bytes: cheap to compute, and enough to tell apart the field names
 * of one OTLP message (collisions are settled by comparing the bytes).
 */
export function keyHash(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  if (length === 0) return 0;
  return Math.imul(length, 0x9e3779b1) ^ (bytes[start] << 5) ^ (bytes[start + (length >> 1)] << 11) ^
    (bytes[end - 1] * 31);
}

function isHexDigit(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= 0x61 && c <= 0x66) || (c >= 0x41 && c <= 0x46);
}
