/**
 * `@bufbuild/protobuf`'s `BinaryReader`, plus the reads OTLP needs most and the base reader makes slow: ids as
 * hex and 64-bit integers as decimal strings, straight from the bytes (no subarray, no BigInt on the common path).
 *
 * @module
 */
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { int64Decimal, uint64Decimal } from "./decimal.ts";
import { badData } from "../otlp_error.ts";

const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Strings up to this many bytes go through the cache. */
const CACHED_MAX_BYTES = 48;
/** Entries the cache holds before it starts over. */
const CACHE_SIZE = 4096;
/**
 * Recently read short strings by a hash of their bytes. Attribute keys and many values repeat in every span of a
 * batch (`session.id`, `gen_ai.system`, `anthropic`): returning the string already made saves decoding it and the
 * garbage. Shared by all readers; a hit is checked byte for byte, so a collision only costs a miss.
 */
const recent = new Map<number, string>();
const utf8 = new TextDecoder();

/**
 * A `BinaryReader` over `bytes` with OTLP's fast paths.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BinaryWriter } from "@bufbuild/protobuf/wire";
 * import { OtlpReader } from "./otlp_reader.ts";
 *
 * const bytes = new BinaryWriter().bytes(new Uint8Array([0xee, 0x01])).fixed64(1544712660300000000n).int64(-5n)
 *   .int64(2n ** 60n).finish();
 * const r = new OtlpReader(bytes);
 * assert.equal(r.hexId(), "ee01");
 * assert.equal(r.fixed64Decimal(), "1544712660300000000");
 * assert.equal(r.int64Value(), -5);
 * assert.equal(r.int64Value(), "1152921504606846976");
 * ```
 */
export class OtlpReader extends BinaryReader {
  /** The bytes being read (the base class keeps its own reference private). */
  readonly data: Uint8Array;

  /** A reader at the start of `bytes`. */
  constructor(bytes: Uint8Array) {
    super(bytes);
    this.data = bytes;
  }

  /** A length-delimited `bytes` field as lowercase hex. */
  hexId(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.len) throw badData("Invalid protobuf: an id runs past the end of the body");
    const b = this.data;
    let hex = "";
    for (let i = start; i < end; i++) hex += HEX_BYTE[b[i]];
    this.pos = end;
    return hex;
  }

  /** A length-delimited `string` field, through the cache of recent short strings. */
  text(): string {
    const len = this.uint32();
    const start = this.pos;
    const end = start + len;
    if (end > this.len) throw badData("Invalid protobuf: a string runs past the end of the body");
    this.pos = end;
    const b = this.data;
    if (len > CACHED_MAX_BYTES) return utf8.decode(b.subarray(start, end));
    let hash = len;
    let ascii = 0;
    for (let i = start; i < end; i++) {
      hash = Math.imul(hash ^ b[i], 0x01000193);
      ascii |= b[i];
    }
    if (ascii >= 0x80) return utf8.decode(b.subarray(start, end));
    const cached = recent.get(hash);
    if (cached !== undefined && sameAscii(cached, b, start, end)) return cached;
    const value = String.fromCharCode.apply(null, b.subarray(start, end) as unknown as number[]);
    if (recent.size >= CACHE_SIZE) recent.clear();
    recent.set(hash, value);
    return value;
  }

  /** A `fixed64` as a decimal string. */
  fixed64Decimal(): string {
    const p = this.#advance(8);
    return uint64Decimal(this.#u32(p), this.#u32(p + 4));
  }

  /** An `sfixed64` as a decimal string. */
  sfixed64Decimal(): string {
    const p = this.#advance(8);
    return int64Decimal(this.#u32(p), this.#u32(p + 4));
  }

  /**
   * A varint `int64` as a number when it is exact as one (OTLP/JSON accepts numbers or strings), else as a decimal
   * string; values below 2^49 (nearly all) are read without BigInt.
   */
  int64Value(): number | string {
    const b = this.data;
    let value = 0;
    let scale = 1;
    for (let p = this.pos, i = 0; i < 7 && p < this.len; i++, p++) {
      const byte = b[p];
      value += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) {
        this.pos = p + 1;
        return value;
      }
      scale *= 128;
    }
    const big = this.int64(); // 8 to 10 bytes: large or negative.
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : String(big);
  }

  /** Moves past `n` bytes and returns where they start. */
  #advance(n: number): number {
    const p = this.pos;
    if (p + n > this.len) throw badData("Invalid protobuf: a fixed-size field runs past the end of the body");
    this.pos = p + n;
    return p;
  }

  /** The little-endian uint32 at `p`. */
  #u32(p: number): number {
    const b = this.data;
    return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24)) >>> 0;
  }
}

/** True when `value` is the ASCII text of `bytes[start, end)` (only ASCII strings are cached). */
function sameAscii(value: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (value.length !== end - start) return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}
