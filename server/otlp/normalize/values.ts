/**
 * OTLP/JSON values to the plain values of a row: `AnyValue` to a JSON value, attribute lists to objects, ids to
 * lowercase hex, 64-bit integers to numbers (strings past 2^53), enums to integers. Input comes from a JSON body
 * (so it is checked: a wrong type is a 400, never a crash) or from the protobuf decoder (already canonical).
 *
 * @module
 */
import { base64Decode } from "@bufbuild/protobuf/wire";
import { badData } from "../otlp_error.ts";

/** How deep `arrayValue`/`kvlistValue` may nest; deeper is refused (400) instead of recursing without bound. */
export const MAX_VALUE_DEPTH = 64;

/** A row's attributes: a plain object. */
export type Attributes = Record<string, unknown>;

const INTEGER = /^-?\d{1,20}$/;
const BASE64 = /^[A-Za-z0-9+/_-]+={0,2}$/;
const HEX_BYTE = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
const NON_FINITE = new Map([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]]);

/** The array at `value` (absent is empty); anything else is a 400 naming `what`. */
export function list(value: unknown, what: string): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (value === undefined || value === null) return [];
  throw badData(`Invalid OTLP: ${what} is not an array`);
}

/** The object at `value`, or undefined when absent; anything else is a 400 naming `what`. */
export function object(value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  throw badData(`Invalid OTLP: ${what} is not an object`);
}

/** A string field: absent or empty is undefined (proto3 cannot tell them apart). */
export function text(value: unknown, what: string): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (value === undefined || value === null) return undefined;
  throw badData(`Invalid OTLP: ${what} is not a string`);
}

/**
 * A 64-bit integer (a decimal string or a number, as OTLP/JSON allows): a number when it is exact as one, else the
 * decimal string, so nothing is rounded. Absent is `fallback`.
 */
export function int64(value: unknown, what: string, fallback?: number): number | string | undefined {
  if (typeof value === "number") {
    if (Number.isInteger(value)) return value;
  } else if (typeof value === "string") {
    if (INTEGER.test(value)) {
      const n = Number(value);
      return Number.isSafeInteger(n) ? n : value.replace(/^(-?)0+(?=\d)/, "$1");
    }
  } else if (value === undefined || value === null) {
    return fallback;
  }
  throw badData(`Invalid OTLP: ${what} is not an integer`);
}

/** A 32-bit integer or enum: a number, a numeric string, or (for enums) the enum value's name. */
export function int32(value: unknown, what: string, names?: readonly string[]): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (value === undefined || value === null) return 0;
  if (typeof value === "string") {
    if (INTEGER.test(value)) return Number(value);
    const index = names ? names.indexOf(value) : -1;
    if (index >= 0) return index;
  }
  throw badData(`Invalid OTLP: ${what} is not an integer`);
}

/** A double: a number, or a string (`"NaN"`, `"Infinity"`, `"1.5"`). Non-finite values become null (JSON has none). */
export function double(value: unknown, what: string): number | null | undefined {
  if (value === undefined || value === null) return undefined;
  let n = NaN;
  if (typeof value === "number") n = value;
  else if (typeof value === "string" && value !== "") n = NON_FINITE.get(value) ?? Number(value);
  if (Number.isNaN(n) && value !== "NaN") throw badData(`Invalid OTLP: ${what} is not a number`);
  return Number.isFinite(n) ? n : null;
}

/** A boolean field; absent is false. */
export function bool(value: unknown, what: string): boolean {
  if (typeof value === "boolean") return value;
  if (value === undefined || value === null) return false;
  throw badData(`Invalid OTLP: ${what} is not a boolean`);
}

/**
 * A trace id (`size` 16) or span id (`size` 8) as lowercase hex. OTLP/JSON says hex; senders that use protobuf's
 * default JSON send base64, accepted when it decodes to exactly `size` bytes (a 32-character hex id is also valid
 * base64, so hex is tried first). Absent or empty is undefined; anything else is a 400.
 */
export function hexId(value: unknown, what: string, size: 8 | 16): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value === "string") {
    const hex = lowerHex(value);
    if (hex !== undefined) return hex;
    if (BASE64.test(value)) {
      const bytes = base64OrUndefined(value);
      if (bytes?.length === size) return hexOf(bytes);
    }
  }
  throw badData(`Invalid OTLP: ${what} is neither hex nor base64 of ${size} bytes`);
}

/** The bytes of `value` in base64, or undefined when it does not decode (a length no base64 has). */
function base64OrUndefined(value: string): Uint8Array | undefined {
  try {
    return base64Decode(value);
  } catch {
    return undefined;
  }
}

/** `value` in lowercase when it is hex (an even number of hex digits), else undefined; no regex, no copy if lower. */
function lowerHex(value: string): string | undefined {
  if (value.length % 2 !== 0) return undefined;
  let upper = false;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66)) continue; // 0-9, a-f
    if (c >= 0x41 && c <= 0x46) upper = true; // A-F
    else return undefined;
  }
  return upper ? value.toLowerCase() : value;
}

/** Lowercase hex of `bytes`. */
export function hexOf(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < bytes.length; i++) hex += HEX_BYTE[bytes[i]];
  return hex;
}

/**
 * An `AnyValue` as a plain value: string, boolean, number (int64 as a string past 2^53), base64 string for bytes,
 * array, object, or null when it is empty.
 */
export function anyValue(value: unknown, depth = 0): unknown {
  const v = object(value, "an AnyValue");
  if (v === undefined) return null;
  if (v.stringValue !== undefined) {
    if (typeof v.stringValue !== "string") throw badData("Invalid OTLP: stringValue is not a string");
    return v.stringValue;
  }
  if (v.intValue !== undefined) return int64(v.intValue, "intValue");
  if (v.boolValue !== undefined) return bool(v.boolValue, "boolValue");
  if (v.doubleValue !== undefined) return double(v.doubleValue, "doubleValue") ?? null;
  if (v.arrayValue !== undefined) {
    if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
    const values = list(object(v.arrayValue, "arrayValue")?.values, "arrayValue.values");
    const out = new Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = anyValue(values[i], depth + 1);
    return out;
  }
  if (v.kvlistValue !== undefined) {
    if (depth >= MAX_VALUE_DEPTH) throw tooDeep();
    return attributes(object(v.kvlistValue, "kvlistValue")?.values, depth + 1);
  }
  if (v.bytesValue !== undefined) {
    if (typeof v.bytesValue !== "string") throw badData("Invalid OTLP: bytesValue is not a base64 string");
    return v.bytesValue;
  }
  return null;
}

/** A `KeyValue` list as an object; later duplicates win. An absent list is `{}`. */
export function attributes(value: unknown, depth = 0): Attributes {
  const out: Attributes = {};
  const pairs = list(value, "attributes");
  for (let i = 0; i < pairs.length; i++) {
    const pair = object(pairs[i], "an attribute");
    if (pair === undefined) continue;
    const key = pair.key;
    if (typeof key !== "string") throw badData("Invalid OTLP: an attribute key is not a string");
    const item = pair.value === undefined ? null : anyValue(pair.value, depth);
    // An own "__proto__" key: plain assignment would set the object's prototype instead.
    if (key === "__proto__") Object.defineProperty(out, key, { value: item, enumerable: true, writable: true });
    else out[key] = item;
  }
  return out;
}

function tooDeep() {
  return badData(`Invalid OTLP: an attribute value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
}
