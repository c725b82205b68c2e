/**
 * The OTLP/JSON fast path: an export request's bytes straight to its row lines, in one pass and without
 * `JSON.parse`, row objects or `JSON.stringify`, for the bodies senders send (one line, lowerCamelCase keys, the
 * levels in the order the SDKs and the Collector write them). It writes exactly the lines the general path
 * (`parseJsonBody`, then the normalizers, then `JSON.stringify`) writes; anything it does not take on makes it give
 * up without writing anything, and the general path takes the body. Profiling the receiver under the SDK's JSON
 * showed `JSON.parse`, the pre-scan, building row objects and serializing them as three quarters of its time.
 *
 * @module
 */
import type { JsonlBytes } from "../../../storage/jsonl_bytes.ts";
import type { RequestShape } from "../normalize/common.ts";
import { ByteWriter, utf8 } from "./byte_writer.ts";
import { FieldNames } from "./field_names.ts";
import { BAIL, JsonScanner } from "./json_scanner.ts";
import { objectBounds } from "./parse_json_body.ts";
import { serviceName, writeAttributes } from "./transcode_attributes.ts";
import { skipMember, textField, writeStringAt } from "./transcode_values.ts";

const UNKNOWN_SERVICE = utf8('"_unknown"');
const SCOPE_NAME = utf8('"name":');
const SCOPE_VERSION = utf8('"version":');
const SCOPE_ATTRIBUTES = utf8('"attributes":');
const REPLACEMENT = "\uFFFD";
const decoder = new TextDecoder();

/**
 * The resource and scope the records being read belong to, as the JSON every row of theirs repeats: written once
 * per group, copied into each row.
 */
export class Group {
  /** The resource's attributes as a JSON object. */
  readonly resource = new ByteWriter();
  /** The `scope` object's JSON. */
  readonly scope = new ByteWriter();
  #serviceStart = -1;
  #serviceEnd = -1;

  /** Writes the `serviceName` value: `service.name` when it is a non-empty string, else `"_unknown"`. */
  writeService(w: ByteWriter): void {
    if (this.#serviceStart === -1) w.constant(UNKNOWN_SERVICE);
    else w.range(this.resource.buffer, this.#serviceStart, this.#serviceEnd);
  }

  /** Writes the resource's attributes. */
  writeResource(w: ByteWriter): void {
    w.range(this.resource.buffer, 0, this.resource.pos);
  }

  /** Writes the scope. */
  writeScope(w: ByteWriter): void {
    w.range(this.scope.buffer, 0, this.scope.pos);
  }

  /** Reads a `resource` (or its absence: `null`). */
  readResource(s: JsonScanner): void {
    this.resource.reset();
    this.#serviceStart = this.#serviceEnd = -1;
    if (s.null() || !s.enterObject()) {
      this.resource.constant(EMPTY_OBJECT);
      return;
    }
    let read = false;
    do {
      s.key();
      if (!s.keyIs(ATTRIBUTES)) {
        skipMember(s);
        continue;
      }
      this.resource.reset();
      writeAttributes(s, this.resource, 0, true);
      this.#serviceStart = serviceName.start;
      this.#serviceEnd = serviceName.end;
      read = true;
    } while (s.nextMember());
    if (!read) this.resource.constant(EMPTY_OBJECT);
  }

  /** No resource: no attributes, an unknown service. */
  noResource(): void {
    this.resource.reset();
    this.resource.constant(EMPTY_OBJECT);
    this.#serviceStart = this.#serviceEnd = -1;
  }

  /** Reads a `scope` (or its absence: `null`) as `scopeOf()` makes it: name and version left out when empty. */
  readScope(s: JsonScanner): void {
    const w = this.scope;
    w.reset();
    if (s.null() || !s.enterObject()) {
      w.constant(NO_SCOPE);
      return;
    }
    let nameStart = -1, nameEnd = -1, nameEscapes = 0;
    let versionStart = -1, versionEnd = -1, versionEscapes = 0;
    scopeAttributes.reset();
    let attributes = false;
    do {
      s.key();
      const field = SCOPE_FIELDS.of(s);
      if (field === 0) {
        nameStart = -1;
        if (textField(s, "scope.name")) [nameStart, nameEnd, nameEscapes] = [s.start, s.end, s.escapes];
      } else if (field === 1) {
        versionStart = -1;
        if (textField(s, "scope.version")) [versionStart, versionEnd, versionEscapes] = [s.start, s.end, s.escapes];
      } else if (field === 2) {
        scopeAttributes.reset();
        writeAttributes(s, scopeAttributes);
        attributes = true;
      } else {
        skipMember(s);
      }
    } while (s.nextMember());
    w.byte(0x7b);
    if (nameStart !== -1) {
      w.constant(SCOPE_NAME);
      writeStringAt(w, s.bytes, nameStart, nameEnd, nameEscapes);
      w.byte(0x2c);
    }
    if (versionStart !== -1) {
      w.constant(SCOPE_VERSION);
      writeStringAt(w, s.bytes, versionStart, versionEnd, versionEscapes);
      w.byte(0x2c);
    }
    w.constant(SCOPE_ATTRIBUTES);
    if (attributes) w.range(scopeAttributes.buffer, 0, scopeAttributes.pos);
    else w.constant(EMPTY_OBJECT);
    w.byte(0x7d);
  }

  /** No scope: `{"attributes":{}}`. */
  noScope(): void {
    this.scope.reset();
    this.scope.constant(NO_SCOPE);
  }
}

const EMPTY_OBJECT = utf8("{}");
const NO_SCOPE = utf8('{"attributes":{}}');
const ATTRIBUTES = utf8("attributes");
const SCOPE_FIELDS = new FieldNames(["name", "version", "attributes"]);
const scopeAttributes = new ByteWriter();

/**
 * Reads one record (a span, a log record, a metric) at the scanner and writes its rows, each ending in a newline,
 * given the group it belongs to; returns how many rows it wrote.
 */
export type RecordTranscoder = (s: JsonScanner, group: Group, out: ByteWriter) => number;

const rows = new ByteWriter();
const group = new Group();

/**
 * Writes the rows of the OTLP/JSON request in `bytes` (of `shape`, records read by `record`) to `out.rows`, and the
 * request itself to `out.raw`, as the general path would; returns how many rows, or undefined (having written
 * nothing) when the body is left to the general path: not on one line, not valid UTF-8 or JSON, in snake_case, in a
 * form this path does not read, or without rows (the general path then explains why).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonlBytes } from "../../../storage/jsonl_bytes.ts";
 * import { logRecord } from "./transcode_logs.ts";
 * import { transcodeJsonRequest } from "./transcode_request.ts";
 * import { LOG_REQUEST } from "../normalize/logs.ts";
 *
 * const body = new TextEncoder().encode('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":"INFO"}]}]}]}');
 * const out = { rows: new JsonlBytes() };
 * assert.equal(transcodeJsonRequest(body, LOG_REQUEST, logRecord, out), 1);
 * assert.equal(JSON.parse(new TextDecoder().decode(out.rows.bytes())).severityText, "INFO");
 * assert.equal(transcodeJsonRequest(new TextEncoder().encode('{"resource_logs":[]}'), LOG_REQUEST, logRecord, out), undefined);
 * ```
 */
export function transcodeJsonRequest(
  bytes: Uint8Array,
  shape: RequestShape,
  record: RecordTranscoder,
  out: { raw?: JsonlBytes; rows: JsonlBytes },
): number | undefined {
  const bounds = objectBounds(bytes);
  if (bounds === undefined) return undefined;
  const s = new JsonScanner(bytes, bounds[0], bounds[1]);
  rows.reset();
  let count: number;
  try {
    count = requestRows(s, shape, record);
  } catch {
    // BAIL, a 400 from a general normalizer used for a rare form, a stack overflow: the general path decides, and
    // answers with its own message.
    return undefined;
  }
  if (count === 0) return undefined;
  // Invalid UTF-8 is replaced by U+FFFD in the general path, and its raw line is then re-serialized.
  if (s.nonAscii && decoder.decode(bytes.subarray(bounds[0], bounds[1])).includes(REPLACEMENT)) return undefined;
  out.rows.append(rows.view());
  out.raw?.pushLine(bytes.subarray(bounds[0], bounds[1]));
  rows.reset();
  return count;
}

const LEVEL_NAMES = new WeakMap<RequestShape, FieldNames>();

/** The keys of a request's levels: 0 the resource groups, 1 the scope groups, 2 the records, 3 `resource`, 4 `scope`. */
function levelNames(shape: RequestShape): FieldNames {
  let names = LEVEL_NAMES.get(shape);
  if (names === undefined) {
    names = new FieldNames([shape.resources, shape.scopes, shape.records, "resource", "scope"]);
    LEVEL_NAMES.set(shape, names);
  }
  return names;
}

/** The envelope: `{"resourceSpans": [...]}` and fields that are skipped. */
function requestRows(s: JsonScanner, shape: RequestShape, record: RecordTranscoder): number {
  const names = levelNames(shape);
  let count = 0;
  let seen = false;
  if (!s.enterObject()) return 0;
  do {
    s.key();
    if (names.of(s) !== 0) {
      skipMember(s);
      continue;
    }
    // Rows are written as they are read: a second list (the general path keeps the last) is left to it.
    if (seen) throw BAIL;
    seen = true;
    if (s.null() || !s.enterArray()) continue;
    do count += resourceGroup(s, names, record); while (s.nextItem());
  } while (s.nextMember());
  if (!s.atEnd()) throw BAIL;
  return count;
}

/** A `resourceSpans` entry: its resource, then its scope groups. */
function resourceGroup(s: JsonScanner, names: FieldNames, record: RecordTranscoder): number {
  if (s.null()) return 0;
  group.noResource();
  if (!s.enterObject()) return 0;
  let count = 0;
  let scopesSeen = false;
  do {
    s.key();
    const field = names.of(s);
    if (field === 3) {
      // The rows of the scope groups already written had no resource: left to the general path.
      if (scopesSeen) throw BAIL;
      group.readResource(s);
    } else if (field === 1) {
      if (scopesSeen) throw BAIL;
      scopesSeen = true;
      if (s.null() || !s.enterArray()) continue;
      do count += scopeGroup(s, names, record); while (s.nextItem());
    } else {
      skipMember(s);
    }
  } while (s.nextMember());
  return count;
}

/** A `scopeSpans` entry: its scope, then its records. */
function scopeGroup(s: JsonScanner, names: FieldNames, record: RecordTranscoder): number {
  if (s.null()) return 0;
  group.noScope();
  if (!s.enterObject()) return 0;
  let count = 0;
  let recordsSeen = false;
  do {
    s.key();
    const field = names.of(s);
    if (field === 4) {
      if (recordsSeen) throw BAIL;
      group.readScope(s);
    } else if (field === 2) {
      if (recordsSeen) throw BAIL;
      recordsSeen = true;
      if (s.null() || !s.enterArray()) continue;
      do {
        if (!s.null()) count += record(s, group, rows);
      } while (s.nextItem());
    } else {
      skipMember(s);
    }
  } while (s.nextMember());
  return count;
}
