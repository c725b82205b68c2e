/**
 * A `Span` message to its OTLP/JSON form, read in one pass.
 *
 * @module
 */
import type { OtlpReader } from "./otlp_reader.ts";
import { done, I32, I64, type Json, LEN, nestedEnd, pushKeyValue, skip, tag, VARINT } from "./wire.ts";

/**
 * Reads the `Span` message ending at `end`. Throws an `OtlpError` (400) or the reader's own error on malformed
 * input; the caller turns both into a 400.
 */
export function readSpan(r: OtlpReader, end: number): Json {
  // Fields are added as they are read: spans from one SDK come in one field order, so they share one object shape,
  // and the raw line carries no absent fields for JSON.stringify to skip.
  const s: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    switch (t) {
      case (1 << 3) | LEN:
        s.traceId = r.hexId();
        break;
      case (2 << 3) | LEN:
        s.spanId = r.hexId();
        break;
      case (3 << 3) | LEN:
        s.traceState = r.text();
        break;
      case (4 << 3) | LEN:
        s.parentSpanId = r.hexId();
        break;
      case (16 << 3) | I32:
        s.flags = r.fixed32();
        break;
      case (5 << 3) | LEN:
        s.name = r.text();
        break;
      case (6 << 3) | VARINT:
        s.kind = r.int32();
        break;
      case (7 << 3) | I64:
        s.startTimeUnixNano = r.fixed64Decimal();
        break;
      case (8 << 3) | I64:
        s.endTimeUnixNano = r.fixed64Decimal();
        break;
      case (9 << 3) | LEN:
        s.attributes = pushKeyValue(r, end, s.attributes as Json[] | undefined);
        break;
      case (10 << 3) | VARINT:
        s.droppedAttributesCount = r.uint32();
        break;
      case (11 << 3) | LEN:
        ((s.events ??= []) as Json[]).push(event(r, nestedEnd(r, end)));
        break;
      case (12 << 3) | VARINT:
        s.droppedEventsCount = r.uint32();
        break;
      case (13 << 3) | LEN:
        ((s.links ??= []) as Json[]).push(link(r, nestedEnd(r, end)));
        break;
      case (14 << 3) | VARINT:
        s.droppedLinksCount = r.uint32();
        break;
      case (15 << 3) | LEN:
        s.status = status(r, nestedEnd(r, end));
        break;
      default:
        skip(r, t);
    }
  }
  done(r, end);
  return s;
}

function event(r: OtlpReader, end: number): Json {
  const e: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | I64)) e.timeUnixNano = r.fixed64Decimal();
    else if (t === ((2 << 3) | LEN)) e.name = r.text();
    else if (t === ((3 << 3) | LEN)) e.attributes = pushKeyValue(r, end, e.attributes as Json[] | undefined);
    else if (t === ((4 << 3) | VARINT)) e.droppedAttributesCount = r.uint32();
    else skip(r, t);
  }
  done(r, end);
  return e;
}

function link(r: OtlpReader, end: number): Json {
  const l: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((1 << 3) | LEN)) l.traceId = r.hexId();
    else if (t === ((2 << 3) | LEN)) l.spanId = r.hexId();
    else if (t === ((3 << 3) | LEN)) l.traceState = r.text();
    else if (t === ((4 << 3) | LEN)) l.attributes = pushKeyValue(r, end, l.attributes as Json[] | undefined);
    else if (t === ((5 << 3) | VARINT)) l.droppedAttributesCount = r.uint32();
    else if (t === ((6 << 3) | I32)) l.flags = r.fixed32();
    else skip(r, t);
  }
  done(r, end);
  return l;
}

function status(r: OtlpReader, end: number): Json {
  const s: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    if (t === ((2 << 3) | LEN)) s.message = r.text();
    else if (t === ((3 << 3) | VARINT)) s.code = r.int32();
    else skip(r, t);
  }
  done(r, end);
  return s;
}
