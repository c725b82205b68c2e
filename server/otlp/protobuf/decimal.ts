/**
 * 64-bit integers given as two 32-bit halves (how protobuf's fixed-width fields arrive) as exact decimal strings,
 * without BigInt: the high half is split as `hi * 2^32 = hi * 4294 * 10^6 + hi * 967296`, each part exact in a double.
 *
 * @module
 */

const TWO_32 = 4294967296;

/**
 * The decimal string of an unsigned 64-bit integer given as 32-bit halves (protobuf `fixed64`), without BigInt.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { uint64Decimal } from "./decimal.ts";
 *
 * assert.equal(uint64Decimal(0xffffffff, 0xffffffff), "18446744073709551615");
 * assert.equal(uint64Decimal(7, 0), "7");
 * ```
 */
export function uint64Decimal(lo: number, hi: number): string {
  lo >>>= 0;
  hi >>>= 0;
  if (hi === 0) return String(lo);
  if (hi < 0x200000) return String(hi * TWO_32 + lo); // below 2^53: exact as a double
  const rest = hi * 967296 + lo;
  const restMs = Math.floor(rest / 1e6);
  const high = hi * 4294 + restMs;
  const low = rest - restMs * 1e6;
  return String(high) + String(low).padStart(6, "0");
}

/**
 * The decimal string of a signed 64-bit integer given as 32-bit halves in two's complement (protobuf `sfixed64`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { int64Decimal } from "./decimal.ts";
 *
 * assert.equal(int64Decimal(0xffffffff, 0xffffffff), "-1");
 * assert.equal(int64Decimal(0, 0x80000000), "-9223372036854775808");
 * ```
 */
export function int64Decimal(lo: number, hi: number): string {
  if ((hi & 0x80000000) === 0) return uint64Decimal(lo, hi);
  // Negate: invert and add one, carrying from the low half.
  let nlo = ~lo >>> 0;
  let nhi = ~hi >>> 0;
  nlo = (nlo + 1) >>> 0;
  if (nlo === 0) nhi = (nhi + 1) >>> 0;
  return "-" + uint64Decimal(nlo, nhi);
}
