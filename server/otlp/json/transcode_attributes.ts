/**
 * The attribute lists and `AnyValue`s of the OTLP/JSON fast path, written as the general path's `attributes()` and
 * `anyValue()` make them (`../normalize/values.ts`) and `JSON.stringify` writes them. The pairs the SDKs write
 * (`{"key":"k","value":{"stringValue":"v"}}`) are matched byte by byte; other forms member by member. A key given twice
 * in one list (the general path keeps the last value at the first key's place) or a key a JavaScript object would
 * move first (an integer) bails.
 *
 * @module
 */
import { MAX_VALUE_DEPTH } from "../normalize/values.ts";
import { type ByteWriter, utf8 } from "./byte_writer.ts";
import { BAIL, CLOSE_BRACE, type JsonScanner, keyHash, NO_ESCAPES, OPEN_BRACE } from "./json_scanner.ts";
import { plainInteger, skipMember, writeDouble, writeInt64, writeString } from "./transcode_values.ts";

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
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

/** What {@link writeAnyValue} wrote: `null`, a string, or something else. */
export const VALUE_NULL = 0;
export const VALUE_STRING = 1;
export const VALUE_OTHER = 2;

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
