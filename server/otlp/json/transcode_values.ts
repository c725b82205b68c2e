/**
 * The scalar values of the OTLP/JSON fast path: ids, integers, enums, doubles, timestamps and strings, read from a
 * {@link JsonScanner} and written as the row's JSON, byte for byte what the general path's normalizers
 * (`../normalize/values.ts`) and `JSON.stringify` make of them. The forms senders use (what the OpenTelemetry SDKs and
 * the Collector write) are handled here; the rare ones go through the general path's own functions (`int64`, `hexId`,
 * ...), so both paths agree by construction. Attribute lists and `AnyValue`s are in `transcode_attributes.ts`.
 *
 * @module
 */
import { nanos } from "../normalize/nanos.ts";
import { double, hexId, int32, int64, text } from "../normalize/values.ts";
import { isoTimestamp } from "../../../storage/utc_date.ts";
import { type ByteWriter, utf8 } from "./byte_writer.ts";
import { BAIL, type JsonScanner, NO_ESCAPES, OTHER_ESCAPES } from "./json_scanner.ts";

const decoder = new TextDecoder();
const QUOTE = 0x22;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

const NULL = utf8("null");

/** The largest timestamp a `Date` holds, in milliseconds (later ones are left out, as `iso()` does). */
const MAX_DATE_MS = 8.64e15;

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
export function plainInteger(bytes: Uint8Array, start: number, end: number): boolean {
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
