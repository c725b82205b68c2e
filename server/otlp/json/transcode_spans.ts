/**
 * The fast path's spans: one OTLP/JSON span to the row `spanRow()` makes of it (`../normalize/spans.ts`), with its
 * events and links, written as `JSON.stringify` writes that row.
 *
 * @module
 */
import { ByteWriter, utf8 } from "./byte_writer.ts";
import { FieldNames } from "./field_names.ts";
import type { JsonScanner } from "./json_scanner.ts";
import type { Group } from "./transcode_request.ts";
import { writeAttributes } from "./transcode_attributes.ts";
import {
  duration,
  hasIso,
  IdReader,
  int32Field,
  skipMember,
  TextReader,
  TimeReader,
  writeId,
  writeIso,
  writeNumber,
} from "./transcode_values.ts";
import { SPAN_KINDS, STATUS_CODES } from "../normalize/spans.ts";

const SPAN = new FieldNames([
  "traceId",
  "spanId",
  "parentSpanId",
  "name",
  "kind",
  "traceState",
  "startTimeUnixNano",
  "endTimeUnixNano",
  "flags",
  "droppedAttributesCount",
  "droppedEventsCount",
  "droppedLinksCount",
  "status",
  "attributes",
  "events",
  "links",
]);
const STATUS = new FieldNames(["code", "message"]);
const EVENT = new FieldNames(["timeUnixNano", "name", "droppedAttributesCount", "attributes"]);
const LINK = new FieldNames(["traceId", "spanId", "traceState", "flags", "droppedAttributesCount", "attributes"]);

const K = {
  serviceName: utf8('{"serviceName":'),
  traceId: utf8(',"traceId":'),
  spanId: utf8(',"spanId":'),
  parentSpanId: utf8(',"parentSpanId":'),
  name: utf8(',"name":'),
  emptyName: utf8(',"name":""'),
  kind: utf8(',"kind":'),
  traceState: utf8(',"traceState":'),
  startTimestamp: utf8(',"startTimestamp":'),
  endTimestamp: utf8(',"endTimestamp":'),
  durationMs: utf8(',"durationMs":'),
  flags: utf8(',"flags":'),
  droppedAttributesCount: utf8(',"droppedAttributesCount":'),
  droppedEventsCount: utf8(',"droppedEventsCount":'),
  droppedLinksCount: utf8(',"droppedLinksCount":'),
  statusCode: utf8(',"status":{"code":'),
  statusMessage: utf8(',"message":'),
  resource: utf8('},"resource":'),
  scope: utf8(',"scope":'),
  attributes: utf8(',"attributes":'),
  events: utf8(',"events":'),
  links: utf8(',"links":'),
  end: utf8("}\n"),
  emptyObject: utf8("{}"),
  emptyArray: utf8("[]"),
  eventTimestamp: utf8('{"timestamp":'),
  eventName: utf8('"name":'),
  eventNameAfter: utf8(',"name":'),
  emptyEventName: utf8('""'),
};

// One set of readers, reused span after span (the fast path runs synchronously, one request at a time).
const traceId = new IdReader();
const spanId = new IdReader();
const parentSpanId = new IdReader();
const start = new TimeReader();
const end = new TimeReader();
const eventTime = new TimeReader();
const linkTraceId = new IdReader();
const linkSpanId = new IdReader();
/** The span's attributes, events and links, written as they are read, copied into the row at its end. */
const parts = new ByteWriter();
/** An event's or link's attributes, until the event or link is written. */
const inner = new ByteWriter();

const name = new TextReader();
const traceState = new TextReader();
const statusMessage = new TextReader();
const eventName = new TextReader();
const linkTraceState = new TextReader();

/** Writes the row of the span at the scanner; returns 1. */
export function spanRecord(s: JsonScanner, group: Group, w: ByteWriter): number {
  const bytes = s.bytes;
  let hasTrace = false, hasSpan = false, hasParent = false;
  let kind = 0, flags = 0, droppedAttributes = 0, droppedEvents = 0, droppedLinks = 0, statusCode = 0;
  name.start = traceState.start = statusMessage.start = -1;
  start.present = end.present = false;
  parts.reset();
  let attributesStart = -1, attributesEnd = 0;
  let eventsStart = -1, eventsEnd = 0;
  let linksStart = -1, linksEnd = 0;
  let traceStart = 0, traceEnd = 0, spanStart = 0, spanEnd = 0, parentStart = 0, parentEnd = 0;
  if (s.enterObject()) {
    do {
      s.key();
      switch (SPAN.of(s)) {
        case 0:
          hasTrace = traceId.read(s, "traceId", 16);
          traceStart = s.start;
          traceEnd = s.end;
          break;
        case 1:
          hasSpan = spanId.read(s, "spanId", 8);
          spanStart = s.start;
          spanEnd = s.end;
          break;
        case 2:
          hasParent = parentSpanId.read(s, "parentSpanId", 8);
          parentStart = s.start;
          parentEnd = s.end;
          break;
        case 3:
          name.read(s, "span.name");
          break;
        case 4:
          kind = int32Field(s, "span.kind", SPAN_KINDS);
          break;
        case 5:
          traceState.read(s, "traceState");
          break;
        case 6:
          start.read(s);
          break;
        case 7:
          end.read(s);
          break;
        case 8:
          flags = int32Field(s, "span.flags");
          break;
        case 9:
          droppedAttributes = int32Field(s, "droppedAttributesCount");
          break;
        case 10:
          droppedEvents = int32Field(s, "droppedEventsCount");
          break;
        case 11:
          droppedLinks = int32Field(s, "droppedLinksCount");
          break;
        case 12:
          statusCode = readStatus(s);
          break;
        case 13:
          attributesStart = parts.pos;
          writeAttributes(s, parts);
          attributesEnd = parts.pos;
          break;
        case 14:
          eventsStart = parts.pos;
          writeEvents(s, parts);
          eventsEnd = parts.pos;
          break;
        case 15:
          linksStart = parts.pos;
          writeLinks(s, parts);
          linksEnd = parts.pos;
          break;
        default:
          skipMember(s);
      }
    } while (s.nextMember());
  }

  w.constant(K.serviceName);
  group.writeService(w);
  if (hasTrace) {
    w.constant(K.traceId);
    writeId(w, bytes, traceStart, traceEnd, traceId.decoded);
  }
  if (hasSpan) {
    w.constant(K.spanId);
    writeId(w, bytes, spanStart, spanEnd, spanId.decoded);
  }
  if (hasParent) {
    w.constant(K.parentSpanId);
    writeId(w, bytes, parentStart, parentEnd, parentSpanId.decoded);
  }
  if (name.start === -1) {
    w.constant(K.emptyName);
  } else {
    w.constant(K.name);
    name.write(w, bytes);
  }
  w.constant(K.kind);
  writeNumber(w, kind);
  if (traceState.start !== -1) {
    w.constant(K.traceState);
    traceState.write(w, bytes);
  }
  if (hasIso(start.present, start.ms)) {
    w.constant(K.startTimestamp);
    writeIso(w, start.ms);
  }
  if (hasIso(end.present, end.ms)) {
    w.constant(K.endTimestamp);
    writeIso(w, end.ms);
  }
  const durationMs = duration(start.present, start.ms, start.sub, end.present, end.ms, end.sub);
  if (durationMs !== undefined) {
    w.constant(K.durationMs);
    writeNumber(w, durationMs);
  }
  w.constant(K.flags);
  writeNumber(w, flags);
  w.constant(K.droppedAttributesCount);
  writeNumber(w, droppedAttributes);
  w.constant(K.droppedEventsCount);
  writeNumber(w, droppedEvents);
  w.constant(K.droppedLinksCount);
  writeNumber(w, droppedLinks);
  w.constant(K.statusCode);
  writeNumber(w, statusCode);
  if (statusMessage.start !== -1) {
    w.constant(K.statusMessage);
    statusMessage.write(w, bytes);
  }
  w.constant(K.resource);
  group.writeResource(w);
  w.constant(K.scope);
  group.writeScope(w);
  w.constant(K.attributes);
  if (attributesStart === -1) w.constant(K.emptyObject);
  else w.range(parts.buffer, attributesStart, attributesEnd);
  w.constant(K.events);
  if (eventsStart === -1) w.constant(K.emptyArray);
  else w.range(parts.buffer, eventsStart, eventsEnd);
  w.constant(K.links);
  if (linksStart === -1) w.constant(K.emptyArray);
  else w.range(parts.buffer, linksStart, linksEnd);
  w.constant(K.end);
  return 1;
}

/** `status`: its code (the message is left in `statusMessage`). */
function readStatus(s: JsonScanner): number {
  statusMessage.start = -1;
  if (s.null() || !s.enterObject()) return 0;
  let code = 0;
  do {
    s.key();
    const field = STATUS.of(s);
    if (field === 0) code = int32Field(s, "status.code", STATUS_CODES);
    else if (field === 1) statusMessage.read(s, "status.message");
    else skipMember(s);
  } while (s.nextMember());
  return code;
}

/** `events`, as `eventOf()` makes each: a null event is an empty one. */
function writeEvents(s: JsonScanner, w: ByteWriter): void {
  if (s.null() || !s.enterArray()) {
    w.constant(K.emptyArray);
    return;
  }
  const bytes = s.bytes;
  w.byte(0x5b);
  let first = true;
  do {
    if (!first) w.byte(0x2c);
    first = false;
    eventTime.present = false;
    eventName.start = -1;
    let dropped = 0;
    let attributes = false;
    inner.reset();
    if (!s.null() && s.enterObject()) {
      do {
        s.key();
        switch (EVENT.of(s)) {
          case 0:
            eventTime.read(s);
            break;
          case 1:
            eventName.read(s, "event.name");
            break;
          case 2:
            dropped = int32Field(s, "droppedAttributesCount");
            break;
          case 3:
            inner.reset();
            writeAttributes(s, inner);
            attributes = true;
            break;
          default:
            skipMember(s);
        }
      } while (s.nextMember());
    }
    if (hasIso(eventTime.present, eventTime.ms)) {
      w.constant(K.eventTimestamp);
      writeIso(w, eventTime.ms);
      w.constant(K.eventNameAfter);
    } else {
      w.byte(0x7b);
      w.constant(K.eventName);
    }
    if (eventName.start === -1) w.constant(K.emptyEventName);
    else eventName.write(w, bytes);
    w.constant(K.droppedAttributesCount);
    writeNumber(w, dropped);
    w.constant(K.attributes);
    if (attributes) w.range(inner.buffer, 0, inner.pos);
    else w.constant(K.emptyObject);
    w.byte(0x7d);
  } while (s.nextItem());
  w.byte(0x5d);
}

/** `links`, as `linkOf()` makes each: a null link is an empty one. */
function writeLinks(s: JsonScanner, w: ByteWriter): void {
  if (s.null() || !s.enterArray()) {
    w.constant(K.emptyArray);
    return;
  }
  const bytes = s.bytes;
  w.byte(0x5b);
  let first = true;
  do {
    if (!first) w.byte(0x2c);
    first = false;
    let hasTrace = false, hasSpan = false;
    let traceStart = 0, traceEnd = 0, spanStart = 0, spanEnd = 0;
    let flags = 0, dropped = 0;
    let attributes = false;
    linkTraceState.start = -1;
    inner.reset();
    if (!s.null() && s.enterObject()) {
      do {
        s.key();
        switch (LINK.of(s)) {
          case 0:
            hasTrace = linkTraceId.read(s, "link.traceId", 16);
            traceStart = s.start;
            traceEnd = s.end;
            break;
          case 1:
            hasSpan = linkSpanId.read(s, "link.spanId", 8);
            spanStart = s.start;
            spanEnd = s.end;
            break;
          case 2:
            linkTraceState.read(s, "link.traceState");
            break;
          case 3:
            flags = int32Field(s, "link.flags");
            break;
          case 4:
            dropped = int32Field(s, "droppedAttributesCount");
            break;
          case 5:
            inner.reset();
            writeAttributes(s, inner);
            attributes = true;
            break;
          default:
            skipMember(s);
        }
      } while (s.nextMember());
    }
    // The first field present opens the object; the others follow a comma.
    w.byte(0x7b);
    if (hasTrace) {
      w.range(K.traceId, 1, K.traceId.length);
      writeId(w, bytes, traceStart, traceEnd, linkTraceId.decoded);
    }
    if (hasSpan) {
      if (hasTrace) w.constant(K.spanId);
      else w.range(K.spanId, 1, K.spanId.length);
      writeId(w, bytes, spanStart, spanEnd, linkSpanId.decoded);
    }
    if (linkTraceState.start !== -1) {
      if (hasTrace || hasSpan) w.constant(K.traceState);
      else w.range(K.traceState, 1, K.traceState.length);
      linkTraceState.write(w, bytes);
    }
    if (hasTrace || hasSpan || linkTraceState.start !== -1) w.constant(K.flags);
    else w.range(K.flags, 1, K.flags.length);
    writeNumber(w, flags);
    w.constant(K.droppedAttributesCount);
    writeNumber(w, dropped);
    w.constant(K.attributes);
    if (attributes) w.range(inner.buffer, 0, inner.pos);
    else w.constant(K.emptyObject);
    w.byte(0x7d);
  } while (s.nextItem());
  w.byte(0x5d);
}
