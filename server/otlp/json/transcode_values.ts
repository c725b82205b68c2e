/**
 * The values of the OTLP/JSON fast path: attribute lists, `AnyValue`s, ids, integers, enums, timestamps and
 * strings, read from a {@link JsonScanner} and written as the row's JSON, byte for byte what the general path's
 * normalizers (`../normalize/values.ts`) and `JSON.stringify` make of them. The forms senders use (what the
 * OpenTelemetry SDKs and the Collector write) are handled here; the rare ones go through the general path's own
 * functions (`int64`, `hexId`, ...), so both paths agree by construction; a shape that is not even that (a key twice
 * in one attribute list, a field that must come first coming last) bails.
 *
 * @module
 */
import { nanos } from "../normalize/nanos.ts";
import { bool, double, hexId, int32, int64, MAX_VALUE_DEPTH, text } from "../normalize/values.ts";
import { isoTimestamp } from "../../../storage/utc_date.ts";
import { type ByteWriter, utf8 } from "./byte_writer.ts";
import { BAIL, CLOSE_BRACE, type JsonScanner, keyHash, NO_ESCAPES, OPEN_BRACE, OTHER_ESCAPES } from "./json_scanner.ts";

const decoder = new TextDecoder();
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

const NULL = utf8("null");
const TRUE = utf8("true");
const FALSE = utf8("false");
const EMPTY_OBJECT = utf8("{}");
const EMPTY_ARRAY = utf8("[]");

const KEY = utf8("key");
const VALUE = utf8("value");
const VALUES = utf8("values");
const SERVICE_NAME = utf8("service.name");
const STRING_VALUE = utf8("stringValue");
const INT_VALUE = utf8("intValue");
const BOOL_VALUE = utf8("boolValue");
const DOUBLE_VALUE = utf8("doubleValue");
const ARRAY_VALUE = utf8("arrayValue");
const KVLIST_VALUE = utf8("kvlistValue");
const BYTES_VALUE = utf8("bytesValue");

/** The largest timestamp a `Date` holds, in milliseconds (later ones are left out, as `iso()` does). */
const MAX_DATE_MS = 8.64e15;

/** What {@link writeAnyValue} wrote: `null`, a string, or something else. */
export const VALUE_NULL = 0;
export const VALUE_STRING = 1;
export const VALUE_OTHER = 2;

/**
 * Skips a member the fast path does not read. A snake_case key may be a field it reads under its other name (the
 * general path renames keys): that body is left to the general path.
 */
export function skipMember(s: JsonScanner): void {
  if (s.keyHasUnderscore()) throw BAIL;
  s.skip();
}

/** Writes `value` as `JSON.stringify` does; a value it would leave out (`undefined`) bails, as the row would differ. */
export function writeJson(w: ByteWriter, value: unknown): void {
  const json = JSON.stringify(value);
  if (json === undefined) throw BAIL;
  w.text(json);
}

/** Writes the string whose content is `bytes[start..end)` with `escapes`, quotes included, as `JSON.stringify` would. */
export function writeStringAt(w: ByteWriter, bytes: Uint8Array, start: number, end: number, escapes: number): void {
  if (escapes === OTHER_ESCAPES) {
    w.text(JSON.stringify(JSON.parse(decoder.decode(bytes.subarray(start - 1, end + 1)))));
  } else {
    w.range(bytes, start - 1, end + 1);
  }
}

/** Writes the string just read by the scanner. */
export function writeString(s: JsonScanner, w: ByteWriter): void {
  writeStringAt(w, s.bytes, s.start, s.end, s.escapes);
}

/**
 * A string field read as `text()` does: true when it is a non-empty string (its bounds are then the scanner's
 * `start`/`end`/`escapes`), false when absent (empty or null). Anything else is the general path's 400.
 */
export function textField(s: JsonScanner, what: string): boolean {
  if (s.atString()) {
    s.string();
    return s.end > s.start;
  }
  return text(s.value(), what) !== undefined; // null: absent; anything else throws
}

/** A string field read in place ({@link textField}): its bounds and escapes, or `start` -1 when absent. */
export class TextReader {
  start = -1;
  end = 0;
  escapes = 0;

  /** Reads the field. */
  read(s: JsonScanner, what: string): void {
    this.start = -1;
    if (textField(s, what)) {
      this.start = s.start;
      this.end = s.end;
      this.escapes = s.escapes;
    }
  }

  /** Writes it, quoted. */
  write(w: ByteWriter, bytes: Uint8Array): void {
    writeStringAt(w, bytes, this.start, this.end, this.escapes);
  }
}

/** An int32 or enum field (`kind`, `flags`, counts) as `int32()` reads it. */
export function int32Field(s: JsonScanner, what: string, names?: readonly string[]): number {
  if (s.atNumber()) {
    s.number();
    const n = s.integer;
    return n === n ? n : int32(Number(s.ascii()), what, names);
  }
  return int32(s.value(), what, names);
}

/** Writes a number as `JSON.stringify` does (a single digit without making its string). */
export function writeNumber(w: ByteWriter, n: number): void {
  if (n >= 0 && n <= 9 && (n | 0) === n) w.byte(ZERO + n);
  else w.ascii(String(n));
}

/** True when `bytes[start..end)` is an integer `JSON.stringify` writes the same way, of at most 15 digits. */
function plainInteger(bytes: Uint8Array, start: number, end: number): boolean {
  let pos = start;
  if (bytes[pos] === MINUS) pos++;
  const digits = end - pos;
  if (digits < 1 || digits > 15) return false;
  if (bytes[pos] === ZERO) return digits === 1 && pos === start;
  for (; pos < end; pos++) {
    const c = bytes[pos];
    if (c < ZERO || c > NINE) return false;
  }
  return true;
}

/** Writes a 64-bit integer value (`intValue`, `asInt`, a count) as `int64()` makes it; absent is `fallback`. */
export function writeInt64(s: JsonScanner, w: ByteWriter, what: string, fallback?: number): void {
  const bytes = s.bytes;
  if (s.atNumber()) {
    s.number();
    if (s.integer === s.integer) w.range(bytes, s.start, s.end);
    else writeJson(w, int64(Number(s.ascii()), what));
  } else if (s.atString()) {
    s.string();
    if (s.escapes === NO_ESCAPES && plainInteger(bytes, s.start, s.end)) w.range(bytes, s.start, s.end);
    else writeJson(w, int64(JSON.parse(decoder.decode(bytes.subarray(s.start - 1, s.end + 1))), what));
  } else {
    writeJson(w, int64(s.value(), what, fallback));
  }
}

/** Writes a double value (`doubleValue`, `asDouble`, a sum) as `double()` makes it: null when not finite. */
export function writeDouble(s: JsonScanner, w: ByteWriter, what: string): void {
  if (s.atNumber()) {
    s.number();
    if (s.integer === s.integer) {
      w.range(s.bytes, s.start, s.end);
    } else {
      const n = Number(s.ascii());
      if (Number.isFinite(n)) w.ascii(String(n));
      else w.constant(NULL);
    }
    return;
  }
  writeJson(w, double(s.value(), what) ?? null);
}

/**
 * A trace or span id as `hexId()` reads it, left in the scanner's `start`/`end`: true when present. Lowercase hex
 * (what senders write) is used in place; anything else (upper-case, base64) goes through `hexId()` and is written by
 * {@link writeId} from `decoded`.
 */
export class IdReader {
  /** The id when it was not lowercase hex, else undefined. */
  decoded: string | undefined = undefined;

  /** Reads an id of `size` bytes: true when present (non-empty). */
  read(s: JsonScanner, what: string, size: 8 | 16): boolean {
    this.decoded = undefined;
    if (s.atString()) {
      s.string();
      if (s.start === s.end) return false;
      if (s.escapes === NO_ESCAPES && lowerHex(s.bytes, s.start, s.end)) return true;
      this.decoded = hexId(JSON.parse(decoder.decode(s.bytes.subarray(s.start - 1, s.end + 1))), what, size);
      return true;
    }
    return hexId(s.value(), what, size) !== undefined; // null: absent; anything else throws
  }
}

/** True when `bytes[start..end)` is an even number of lowercase hex digits. */
function lowerHex(bytes: Uint8Array, start: number, end: number): boolean {
  if ((end - start) % 2 !== 0) return false;
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if ((c < ZERO || c > NINE) && (c < 0x61 || c > 0x66)) return false;
  }
  return true;
}

/** Writes an id read by {@link IdReader.read}: `decoded`, or the request's bytes at `start..end`. */
export function writeId(
  w: ByteWriter,
  bytes: Uint8Array,
  start: number,
  end: number,
  decoded: string | undefined,
): void {
  if (decoded !== undefined) {
    w.byte(QUOTE);
    w.ascii(decoded);
    w.byte(QUOTE);
  } else {
    w.range(bytes, start - 1, end + 1);
  }
}

/**
 * A timestamp (`*UnixNano`) as `nanos()` reads it, in two numbers: `ms` and `sub` (the nanoseconds below a
 * millisecond). `present` is false when it is absent, zero or not a timestamp.
 */
export class TimeReader {
  ms = 0;
  sub = 0;
  present = false;

  /** Reads a timestamp; a decimal string (what senders write) is read in place. */
  read(s: JsonScanner): void {
    let value: unknown;
    if (s.atString()) {
      s.string();
      if (s.escapes === NO_ESCAPES) {
        this.#decimal(s.bytes, s.start, s.end);
        return;
      }
      value = JSON.parse(decoder.decode(s.bytes.subarray(s.start - 1, s.end + 1)));
    } else if (s.atNumber()) {
      s.number();
      value = Number(s.ascii());
    } else {
      value = s.value();
    }
    if (value !== null && typeof value === "object") throw BAIL; // {low, high}: left to the general path
    const time = nanos(value);
    this.present = time !== undefined;
    if (time !== undefined) [this.ms, this.sub] = time;
  }

  /** As `nanos.ts`' `fromDecimal`: at most 20 digits, the last six below the millisecond. */
  #decimal(bytes: Uint8Array, start: number, end: number): void {
    const length = end - start;
    this.present = false;
    if (length === 0 || length > 20) return;
    const split = end - 6;
    let ms = 0;
    let sub = 0;
    for (let i = start; i < end; i++) {
      const digit = bytes[i] - ZERO;
      if (digit < 0 || digit > 9) return;
      if (i < split) ms = ms * 10 + digit;
      else sub = sub * 10 + digit;
    }
    if (ms === 0 && sub === 0) return;
    this.ms = ms;
    this.sub = sub;
    this.present = true;
  }
}

/** True when a timestamp read as `ms` is written (a `Date` can hold it). */
export function hasIso(present: boolean, ms: number): boolean {
  return present && ms <= MAX_DATE_MS;
}

// The minute of the last timestamp written and its `YYYY-MM-DDTHH:MM:` bytes: timestamps of one request share it.
let isoMinute = NaN;
const isoPrefix = new Uint8Array(17);

/** Writes the ISO-8601 form of a timestamp (milliseconds, as `isoTimestamp()` makes it), quoted. */
export function writeIso(w: ByteWriter, ms: number): void {
  const minute = Math.floor(ms / 60_000);
  if (minute !== isoMinute) {
    const full = isoTimestamp(ms);
    if (full.length !== 24) {
      // A year past 9999: written as Date writes it, every time.
      w.byte(QUOTE);
      w.ascii(full);
      w.byte(QUOTE);
      return;
    }
    for (let i = 0; i < 17; i++) isoPrefix[i] = full.charCodeAt(i);
    isoMinute = minute;
  }
  const inMinute = ms - minute * 60_000;
  const seconds = Math.floor(inMinute / 1000);
  const millis = inMinute - seconds * 1000;
  w.ensure(26);
  const buffer = w.buffer;
  let pos = w.pos;
  buffer[pos++] = QUOTE;
  for (let i = 0; i < 17; i++) buffer[pos++] = isoPrefix[i];
  buffer[pos++] = ZERO + Math.floor(seconds / 10);
  buffer[pos++] = ZERO + (seconds % 10);
  buffer[pos++] = 0x2e;
  buffer[pos++] = ZERO + Math.floor(millis / 100);
  buffer[pos++] = ZERO + (Math.floor(millis / 10) % 10);
  buffer[pos++] = ZERO + (millis % 10);
  buffer[pos++] = 0x5a;
  buffer[pos++] = QUOTE;
  w.pos = pos;
}

/** `end - start` in milliseconds, as `between()` computes it; undefined when either is missing or it is negative. */
export function duration(
  startPresent: boolean,
  startMs: number,
  startSub: number,
  endPresent: boolean,
  endMs: number,
  endSub: number,
): number | undefined {
  if (!startPresent || !endPresent) return undefined;
  const ns = (endMs - startMs) * 1e6 + (endSub - startSub);
  return ns < 0 ? undefined : ns / 1e6;
}

// The keys of the attribute lists being written (nested lists above their parents): their bounds in the request and
// their hashes, to find a key given twice (the general path keeps the last value at the first key's place).
let keyStarts = new Int32Array(256);
let keyEnds = new Int32Array(256);
let keyHashes = new Int32Array(256);
let keyCount = 0;

/** Notes a key of the list whose keys start at `base`; a key given twice bails. */
function pushKey(bytes: Uint8Array, start: number, end: number, hash: number, base: number): void {
  const length = end - start;
  for (let i = base; i < keyCount; i++) {
    if (keyHashes[i] !== hash || keyEnds[i] - keyStarts[i] !== length) continue;
    let same = true;
    for (let j = 0; j < length; j++) {
      if (bytes[keyStarts[i] + j] !== bytes[start + j]) {
        same = false;
        break;
      }
    }
    if (same) throw BAIL;
  }
  if (keyCount === keyStarts.length) {
    if (keyCount >= 65536) throw BAIL;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(a.length * 2);
      b.set(a);
      return b;
    };
    keyStarts = grow(keyStarts);
    keyEnds = grow(keyEnds);
    keyHashes = grow(keyHashes);
  }
  keyStarts[keyCount] = start;
  keyEnds[keyCount] = end;
  keyHashes[keyCount] = hash;
  keyCount++;
}

/** Where {@link writeAttributes} found the `service.name` string, in the writer: -1 when there was none. */
export const serviceName = { start: -1, end: -1 };

const PAIR_OPEN = utf8('{"key":"');
const PAIR_VALUE = utf8(',"value":{"');
const STRING_VALUE_KEY = utf8('stringValue":');
const INT_VALUE_KEY = utf8('intValue":');
const BOOL_VALUE_KEY = utf8('boolValue":');
const DOUBLE_VALUE_KEY = utf8('doubleValue":');

/** True when `bytes` at `pos` are `pattern`. */
function matches(bytes: Uint8Array, pos: number, pattern: Uint8Array): boolean {
  if (pos + pattern.length > bytes.length) return false;
  for (let i = 0; i < pattern.length; i++) if (bytes[pos + i] !== pattern[i]) return false;
  return true;
}

/**
 * A `KeyValue` as the SDKs write it, `{"key":"k","value":{"stringValue":"v"}}` with no space and a scalar value,
 * matched byte by byte instead of member by member. Writes the pair and returns true, or returns false having read
 * and written nothing when the pair is in any other form (the general loop then reads it).
 */
function compactPair(s: JsonScanner, w: ByteWriter, first: boolean, findService: boolean, base: number): boolean {
  const bytes = s.bytes;
  const open = s.pos;
  if (!matches(bytes, open, PAIR_OPEN)) return false;
  const keyStart = open + PAIR_OPEN.length;
  let pos = keyStart;
  for (;;) {
    if (pos >= s.limit) return false;
    const c = bytes[pos];
    if (c === QUOTE) break;
    if (c < 0x20 || c === BACKSLASH) return false;
    if (c >= 0x80) s.nonAscii = true;
    pos++;
  }
  const keyEnd = pos;
  const c = bytes[keyStart];
  if ((c >= ZERO && c <= NINE) || !matches(bytes, keyEnd + 1, PAIR_VALUE)) return false;
  pos = keyEnd + 1 + PAIR_VALUE.length;
  const mark = w.pos;
  if (!first) w.byte(COMMA);
  w.range(bytes, keyStart - 1, keyEnd + 1);
  w.byte(COLON);
  const valueStart = w.pos;
  let isString = false;
  let ok = false;
  if (matches(bytes, pos, STRING_VALUE_KEY)) {
    s.pos = pos + STRING_VALUE_KEY.length;
    if (s.atString()) {
      s.string();
      writeString(s, w);
      isString = ok = true;
    }
  } else if (matches(bytes, pos, INT_VALUE_KEY)) {
    s.pos = pos + INT_VALUE_KEY.length;
    if (s.atNumber()) {
      s.number();
      if (s.integer === s.integer) {
        w.range(bytes, s.start, s.end);
        ok = true;
      }
    } else if (s.atString()) {
      s.string();
      if (s.escapes === NO_ESCAPES && plainInteger(bytes, s.start, s.end)) {
        w.range(bytes, s.start, s.end);
        ok = true;
      }
    }
  } else if (matches(bytes, pos, BOOL_VALUE_KEY)) {
    s.pos = pos + BOOL_VALUE_KEY.length;
    const b = s.peek();
    if (b === 0x74 || b === 0x66) {
      w.constant(s.boolean() ? TRUE : FALSE);
      ok = true;
    }
  } else if (matches(bytes, pos, DOUBLE_VALUE_KEY)) {
    s.pos = pos + DOUBLE_VALUE_KEY.length;
    if (s.atNumber()) {
      writeDouble(s, w, "doubleValue");
      ok = true;
    }
  }
  if (!ok || bytes[s.pos] !== CLOSE_BRACE || bytes[s.pos + 1] !== CLOSE_BRACE) {
    w.pos = mark;
    s.pos = open;
    return false;
  }
  s.pos += 2;
  pushKey(bytes, keyStart, keyEnd, keyHash(bytes, keyStart, keyEnd), base);
  if (findService && isString && w.pos - valueStart > 2 && sameBytes(bytes, keyStart, keyEnd, SERVICE_NAME)) {
    serviceName.start = valueStart;
    serviceName.end = w.pos;
  }
  return true;
}

function sameBytes(bytes: Uint8Array, start: number, end: number, pattern: Uint8Array): boolean {
  return end - start === pattern.length && matches(bytes, start, pattern);
}

/**
 * Reads a `KeyValue` list and writes it as a JSON object, as `attributes()` makes it. With `findService`, notes where
 * the value of `service.name` went when it is a non-empty string ({@link serviceName}).
 */
export function writeAttributes(s: JsonScanner, w: ByteWriter, depth = 0, findService = false): void {
  if (findService) serviceName.start = serviceName.end = -1;
  if (s.null() || !s.enterArray()) {
    w.constant(EMPTY_OBJECT);
    return;
  }
  const base = keyCount;
  w.byte(0x7b);
  let first = true;
  try {
    do {
      const c = s.peek();
      if (c === OPEN_BRACE && compactPair(s, w, first, findService, base)) {
        first = false;
        continue;
      }
      if (s.null()) continue; // a null entry is skipped
      if (!s.enterObject()) throw BAIL; // no key: the general path's 400
      let keyed = false;
      let valued = false;
      do {
        s.key();
        if (s.keyIs(KEY)) {
          if (keyed || !s.atString()) throw BAIL;
          s.string();
          const c = s.bytes[s.start];
          // An integer-like key would be moved first by a JavaScript object; an escaped one is compared as text.
          if (s.escapes !== NO_ESCAPES || (c >= ZERO && c <= NINE)) throw BAIL;
          pushKey(s.bytes, s.start, s.end, keyHash(s.bytes, s.start, s.end), base);
          if (!first) w.byte(COMMA);
          first = false;
          w.range(s.bytes, s.start - 1, s.end + 1);
          w.byte(COLON);
          keyed = true;
        } else if (s.keyIs(VALUE)) {
          if (!keyed || valued) throw BAIL; // a value before its key: left to the general path
          const isService = findService && isServiceKey(s, keyCount - 1);
          const from = w.pos;
          const kind = writeAnyValue(s, w, depth);
          if (isService && kind === VALUE_STRING && w.pos - from > 2) {
            serviceName.start = from;
            serviceName.end = w.pos;
          }
          valued = true;
        } else {
          skipMember(s);
        }
      } while (s.nextMember());
      if (!keyed) throw BAIL;
      if (!valued) w.constant(NULL);
    } while (s.nextItem());
  } finally {
    keyCount = base;
  }
  w.byte(0x7d);
}

function isServiceKey(s: JsonScanner, index: number): boolean {
  return sameBytes(s.bytes, keyStarts[index], keyEnds[index], SERVICE_NAME);
}

/** Reads an `AnyValue` and writes it as `anyValue()` makes it; returns what kind of value it wrote. */
export function writeAnyValue(s: JsonScanner, w: ByteWriter, depth: number): number {
  if (s.null() || !s.enterObject()) {
    w.constant(NULL);
    return VALUE_NULL;
  }
  let kind = -1;
  do {
    s.key();
    if (s.end - s.start < 8) {
      skipMember(s);
      continue;
    }
    if (s.keyIs(STRING_VALUE) || s.keyIs(BYTES_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (!s.atString()) throw BAIL; // the general path's 400
      s.string();
      writeString(s, w);
      kind = VALUE_STRING;
    } else if (s.keyIs(INT_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (s.null()) throw BAIL; // an attribute the general path leaves out
      writeInt64(s, w, "intValue");
      kind = VALUE_OTHER;
    } else if (s.keyIs(BOOL_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (s.atString() || s.atNumber()) throw BAIL; // the general path's 400
      w.constant(s.null() || !s.boolean() ? FALSE : TRUE);
      kind = VALUE_OTHER;
    } else if (s.keyIs(DOUBLE_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (s.null()) throw BAIL;
      writeDouble(s, w, "doubleValue");
      kind = VALUE_OTHER;
    } else if (s.keyIs(ARRAY_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (depth >= MAX_VALUE_DEPTH) throw BAIL;
      writeArrayValue(s, w, depth);
      kind = VALUE_OTHER;
    } else if (s.keyIs(KVLIST_VALUE)) {
      if (kind !== -1) throw BAIL; // a second value field: the general path picks one by its own order
      if (depth >= MAX_VALUE_DEPTH) throw BAIL;
      writeKvlistValue(s, w, depth);
      kind = VALUE_OTHER;
    } else {
      skipMember(s);
    }
  } while (s.nextMember());
  if (kind === -1) {
    w.constant(NULL);
    return VALUE_NULL;
  }
  return kind;
}

/** `arrayValue`: `{values: [AnyValue...]}` as a JSON array. */
function writeArrayValue(s: JsonScanner, w: ByteWriter, depth: number): void {
  if (s.null() || !s.enterObject()) {
    w.constant(EMPTY_ARRAY);
    return;
  }
  let written = false;
  do {
    s.key();
    if (!s.keyIs(VALUES)) {
      skipMember(s);
      continue;
    }
    if (written) throw BAIL;
    written = true;
    if (s.null() || !s.enterArray()) {
      w.constant(EMPTY_ARRAY);
      continue;
    }
    w.byte(0x5b);
    let first = true;
    do {
      if (!first) w.byte(COMMA);
      first = false;
      writeAnyValue(s, w, depth + 1);
    } while (s.nextItem());
    w.byte(0x5d);
  } while (s.nextMember());
  if (!written) w.constant(EMPTY_ARRAY);
}

/** `kvlistValue`: `{values: [KeyValue...]}` as a JSON object. */
function writeKvlistValue(s: JsonScanner, w: ByteWriter, depth: number): void {
  if (s.null() || !s.enterObject()) {
    w.constant(EMPTY_OBJECT);
    return;
  }
  let written = false;
  do {
    s.key();
    if (!s.keyIs(VALUES)) {
      skipMember(s);
      continue;
    }
    if (written) throw BAIL;
    written = true;
    writeAttributes(s, w, depth + 1);
  } while (s.nextMember());
  if (!written) w.constant(EMPTY_OBJECT);
}

/** A boolean field read as `bool()` does (absent or null is false). */
export function boolField(s: JsonScanner, what: string): boolean {
  const c = s.peek();
  if (c === 0x74 || c === 0x66) return s.boolean();
  return bool(s.value(), what);
}
