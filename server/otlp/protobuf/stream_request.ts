/**
 * An `Export*ServiceRequest` in protobuf, read one record at a time: each record (a span, a log record, a metric)
 * is handed over as soon as it is read, after the resource and scope it belongs to, and the request's OTLP/JSON is
 * written piece by piece on the way. Only one record's objects are alive at a time, however large the request: a
 * whole request of objects would outlive the young generation of the JavaScript heap and grow the old one.
 *
 * @module
 */
import type { ByteBuffer } from "../../../storage/byte_buffer.ts";
import type { RequestShape } from "../normalize/common.ts";
import { OtlpReader } from "./otlp_reader.ts";
import { done, type Json, LEN, nestedEnd, resource, scope, skip, tag } from "./wire.ts";

/** What {@link streamRequest} hands over, in the request's order. */
export interface RequestVisitor {
  /** A resource group begins: its fields other than its scope groups (`resource`, `schemaUrl`). */
  resource(head: Json): void;
  /** A scope group of the current resource group begins: its fields other than its records (`scope`, `schemaUrl`). */
  scope(head: Json): void;
  /** A record of the current scope group, in OTLP/JSON form. */
  record(record: Json): void;
}

// The three levels share one layout: field 1 is the head message, field 2 the children, field 3 the schema URL.
const HEAD = (1 << 3) | LEN;
const CHILD = (2 << 3) | LEN;
const SCHEMA_URL = (3 << 3) | LEN;
const COMMA = 0x2c;

/**
 * Reads the request in `bytes` of `shape`, records read by `readRecord`, reporting to `visitor`; when `raw` is given,
 * appends the request's OTLP/JSON to it (what `JSON.stringify` gives of the whole request read into objects). Throws
 * an `OtlpError` (400) or the reader's own error on malformed input, possibly after reporting some records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { BinaryWriter } from "@bufbuild/protobuf/wire";
 * import { ByteBuffer } from "../../../storage/byte_buffer.ts";
 * import { TRACE_REQUEST } from "../normalize/spans.ts";
 * import { readSpan } from "./read_span.ts";
 * import { streamRequest } from "./stream_request.ts";
 *
 * const span = new BinaryWriter().tag(5, 2).string("GET /").finish();
 * const scopeSpans = new BinaryWriter().tag(2, 2).bytes(span).finish();
 * const request = new BinaryWriter().tag(1, 2).bytes(new BinaryWriter().tag(2, 2).bytes(scopeSpans).finish()).finish();
 * const raw = new ByteBuffer();
 * const names: unknown[] = [];
 * streamRequest(request, TRACE_REQUEST, readSpan, { resource() {}, scope() {}, record: (s) => names.push(s.name) }, raw);
 * assert.deepEqual(names, ["GET /"]);
 * assert.equal(new TextDecoder().decode(raw.bytes()), '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"GET /"}]}]}]}');
 * ```
 */
export function streamRequest(
  bytes: Uint8Array,
  shape: RequestShape,
  readRecord: (r: OtlpReader, end: number) => Json,
  visitor: RequestVisitor,
  raw?: ByteBuffer,
): void {
  const r = new OtlpReader(bytes);
  const scopeGroup = (end: number) =>
    level(r, end, raw, "scope", shape.records, (head) => visitor.scope(head), (stop) => {
      const record = readRecord(r, stop);
      raw?.appendText(JSON.stringify(record));
      visitor.record(record);
    });
  raw?.appendText(`{"${shape.resources}":[`);
  let groups = 0;
  while (r.pos < r.len) {
    const t = tag(r);
    if (t !== ((1 << 3) | LEN)) {
      skip(r, t);
      continue;
    }
    if (groups++ > 0) raw?.appendByte(COMMA);
    level(r, nestedEnd(r, r.len), raw, "resource", shape.scopes, (head) => visitor.resource(head), scopeGroup);
  }
  raw?.appendText("]}");
}

/**
 * One resource or scope group ending at `end`. Its head (the resource or scope, and the schema URL) is read first,
 * in a pass that skips the children, so it is known before them whatever the field order; then each child is read
 * by `child`. The group's JSON is the head's with the children's array last, as the whole-object reading made it.
 */
function level(
  r: OtlpReader,
  end: number,
  raw: ByteBuffer | undefined,
  headKey: "resource" | "scope",
  childrenKey: string,
  onHead: (head: Json) => void,
  child: (end: number) => void,
): void {
  const start = r.pos;
  const head: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === HEAD) head[headKey] = (headKey === "resource" ? resource : scope)(r, nestedEnd(r, end));
    else if (t === SCHEMA_URL) head.schemaUrl = r.text();
    else skip(r, t);
  }
  done(r, end);
  onHead(head);
  const headJson = raw ? JSON.stringify(head) : "";
  r.pos = start;
  let children = 0;
  while (r.pos < end) {
    const t = tag(r);
    if (t !== CHILD) {
      skip(r, t);
      continue;
    }
    if (children++ === 0) raw?.appendText(`${headJson.slice(0, -1)}${headJson === "{}" ? "" : ","}"${childrenKey}":[`);
    else raw?.appendByte(COMMA);
    child(nestedEnd(r, end));
  }
  raw?.appendText(children === 0 ? headJson : "]}");
}
