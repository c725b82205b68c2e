/**
 * The pieces every OTLP protobuf decoder shares: tags, nested message bounds, 64-bit integers as decimal strings,
 * ids as hex, and the common messages (`AnyValue`, `KeyValue`, `Resource`, `InstrumentationScope`), read with
 * `@bufbuild/protobuf`'s `BinaryReader` (as {@link OtlpReader}) straight into OTLP/JSON-shaped objects (no intermediate message).
 *
 * Field numbers are those of the .proto files in `../proto` (OTLP v1.10.0); `gen/` holds the generated schemas
 * they are checked against in the tests.
 *
 * @module
 */
import { base64Encode } from "@bufbuild/protobuf/wire";
import { MAX_VALUE_DEPTH } from "../normalize/values.ts";
import { badData } from "../otlp_error.ts";
import type { OtlpReader } from "./otlp_reader.ts";

/** Protobuf wire types. */
export const VARINT = 0;
export const I64 = 1;
export const LEN = 2;
export const I32 = 5;

/** An OTLP/JSON object under construction. */
export type Json = Record<string, unknown>;

/** Reads a tag; returns `field << 3 | wireType` as is, after checking the field number is valid. */
export function tag(r: OtlpReader): number {
  const t = r.uint32();
  if (t >>> 3 === 0) throw badData("Invalid protobuf: field number 0");
  return t;
}

/** Reads a length prefix and returns where the nested message ends, checking it lies inside `end`. */
export function nestedEnd(r: OtlpReader, end: number): number {
  const len = r.uint32();
  const stop = r.pos + len;
  if (stop > end) throw badData("Invalid protobuf: a length runs past the end of its message");
  return stop;
}

/** Skips a field of an unknown number (or of a known number with an unexpected wire type). */
export function skip(r: OtlpReader, t: number): void {
  r.skip(t & 7, t >>> 3);
}

/** Checks that a message ended exactly where its length said. */
export function done(r: OtlpReader, end: number): void {
  if (r.pos !== end) throw badData("Invalid protobuf: a field runs past the end of its message");
}

/** A `double` in OTLP/JSON form: a number, or `"NaN"`, `"Infinity"`, `"-Infinity"` (JSON has no such numbers). */
export function double(r: OtlpReader): number | string {
  const n = r.double();
  return Number.isFinite(n) ? n : String(n);
}

/** An `AnyValue` message ending at `end`; `depth` bounds nesting, as for JSON bodies. */
export function anyValue(r: OtlpReader, end: number, depth: number): Json {
  let value: Json | undefined;
  while (r.pos < end) {
    const t = tag(r);
    switch (t) {
      case (1 << 3) | LEN:
        value = { stringValue: r.text() };
        break;
      case (2 << 3) | VARINT:
        value = { boolValue: r.bool() };
        break;
      case (3 << 3) | VARINT:
        value = { intValue: r.int64Value() };
        break;
      case (4 << 3) | I64:
        value = { doubleValue: double(r) };
        break;
      case (5 << 3) | LEN:
        value = { arrayValue: { values: values(r, nestedEnd(r, end), depth + 1) } };
        break;
      case (6 << 3) | LEN:
        value = { kvlistValue: { values: keyValues(r, nestedEnd(r, end), depth + 1) } };
        break;
      case (7 << 3) | LEN:
        value = { bytesValue: base64Encode(r.bytes()) };
        break;
      default: // 8, string_value_strindex, belongs to profiles: read as empty, as the spec asks.
        skip(r, t);
    }
  }
  done(r, end);
  return value ?? {};
}

/** The `values` of an `ArrayValue` ending at `end`. */
function values(r: OtlpReader, end: number, depth: number): Json[] {
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  const out: Json[] = [];
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) out.push(anyValue(r, nestedEnd(r, end), depth));
    else skip(r, t);
  }
  done(r, end);
  return out;
}

/** The `values` of a `KeyValueList` ending at `end`. */
function keyValues(r: OtlpReader, end: number, depth: number): Json[] {
  if (depth > MAX_VALUE_DEPTH) throw tooDeep();
  const out: Json[] = [];
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) out.push(keyValue(r, nestedEnd(r, end), depth));
    else skip(r, t);
  }
  done(r, end);
  return out;
}

/** A `KeyValue` message ending at `end`. */
export function keyValue(r: OtlpReader, end: number, depth = 0): Json {
  let key = "";
  let value: Json | undefined;
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) key = r.text();
    else if (t === ((2 << 3) | LEN)) value = anyValue(r, nestedEnd(r, end), depth);
    else skip(r, t); // 3, key_strindex: profiles only.
  }
  done(r, end);
  return { key, value }; // made whole at the end: every pair has one object shape
}

/** Appends the `KeyValue` at the reader (a `LEN` field of a message ending at `end`) to `list`, creating it. */
export function pushKeyValue(r: OtlpReader, end: number, list: Json[] | undefined): Json[] {
  const out = list ?? [];
  out.push(keyValue(r, nestedEnd(r, end)));
  return out;
}

/** A `Resource` message ending at `end` (attributes and dropped count; entity refs are skipped). */
export function resource(r: OtlpReader, end: number): Json {
  const out: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) out.attributes = pushKeyValue(r, end, out.attributes as Json[] | undefined);
    else if (t === ((2 << 3) | VARINT)) out.droppedAttributesCount = r.uint32();
    else skip(r, t);
  }
  done(r, end);
  return out;
}

/** An `InstrumentationScope` message ending at `end`. */
export function scope(r: OtlpReader, end: number): Json {
  const out: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) out.name = r.text();
    else if (t === ((2 << 3) | LEN)) out.version = r.text();
    else if (t === ((3 << 3) | LEN)) out.attributes = pushKeyValue(r, end, out.attributes as Json[] | undefined);
    else if (t === ((4 << 3) | VARINT)) out.droppedAttributesCount = r.uint32();
    else skip(r, t);
  }
  done(r, end);
  return out;
}

function tooDeep() {
  return badData(`Invalid OTLP: an attribute value is nested deeper than ${MAX_VALUE_DEPTH} levels`);
}
