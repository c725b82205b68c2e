/**
 * The fast path's log records: one OTLP/JSON log record to the row `logRow()` makes of it
 * (`../normalize/logs.ts`), written as `JSON.stringify` writes that row.
 *
 * @module
 */
import { ByteWriter, utf8 } from "./byte_writer.ts";
import { FieldNames } from "./field_names.ts";
import type { JsonScanner } from "./json_scanner.ts";
import type { Group } from "./transcode_request.ts";
import { VALUE_NULL, writeAnyValue, writeAttributes } from "./transcode_attributes.ts";
import {
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
import { SEVERITY_NUMBERS } from "../normalize/logs.ts";

const LOG_RECORD = new FieldNames([
  "timeUnixNano",
  "observedTimeUnixNano",
  "severityNumber",
  "severityText",
  "eventName",
  "body",
  "traceId",
  "spanId",
  "flags",
  "droppedAttributesCount",
  "attributes",
]);

const K = {
  serviceName: utf8('{"serviceName":'),
  timestamp: utf8(',"timestamp":'),
  observedTimestamp: utf8(',"observedTimestamp":'),
  severityNumber: utf8(',"severityNumber":'),
  severityText: utf8(',"severityText":'),
  eventName: utf8(',"eventName":'),
  body: utf8(',"body":'),
  traceId: utf8(',"traceId":'),
  spanId: utf8(',"spanId":'),
  flags: utf8(',"flags":'),
  droppedAttributesCount: utf8(',"droppedAttributesCount":'),
  resource: utf8(',"resource":'),
  scope: utf8(',"scope":'),
  attributes: utf8(',"attributes":'),
  emptyObject: utf8("{}"),
  end: utf8("}\n"),
};

// One set of readers, reused record after record (the fast path runs synchronously, one request at a time).
const time = new TimeReader();
const observed = new TimeReader();
const traceId = new IdReader();
const spanId = new IdReader();
const severityText = new TextReader();
const eventName = new TextReader();
/** The record's body and attributes, written as they are read, copied into the row at its end. */
const parts = new ByteWriter();

/** Writes the row of the log record at the scanner; returns 1. */
export function logRecord(s: JsonScanner, group: Group, w: ByteWriter): number {
  const bytes = s.bytes;
  time.present = observed.present = false;
  severityText.start = eventName.start = -1;
  let severityNumber = 0, flags = 0, dropped = 0;
  let hasTrace = false, hasSpan = false;
  let traceStart = 0, traceEnd = 0, spanStart = 0, spanEnd = 0;
  parts.reset();
  let bodyStart = -1, bodyEnd = 0, attributesStart = -1, attributesEnd = 0;
  if (s.enterObject()) {
    do {
      s.key();
      switch (LOG_RECORD.of(s)) {
        case 0:
          time.read(s);
          break;
        case 1:
          observed.read(s);
          break;
        case 2:
          severityNumber = int32Field(s, "severityNumber", SEVERITY_NUMBERS);
          break;
        case 3:
          severityText.read(s, "severityText");
          break;
        case 4:
          eventName.read(s, "eventName");
          break;
        case 5: {
          // An empty body is no body: the row leaves it out.
          const from = parts.pos;
          const kind = writeAnyValue(s, parts, 0);
          bodyStart = kind === VALUE_NULL ? -1 : from;
          bodyEnd = parts.pos;
          break;
        }
        case 6:
          hasTrace = traceId.read(s, "traceId", 16);
          traceStart = s.start;
          traceEnd = s.end;
          break;
        case 7:
          hasSpan = spanId.read(s, "spanId", 8);
          spanStart = s.start;
          spanEnd = s.end;
          break;
        case 8:
          flags = int32Field(s, "flags");
          break;
        case 9:
          dropped = int32Field(s, "droppedAttributesCount");
          break;
        case 10:
          attributesStart = parts.pos;
          writeAttributes(s, parts);
          attributesEnd = parts.pos;
          break;
        default:
          skipMember(s);
      }
    } while (s.nextMember());
  }

  w.constant(K.serviceName);
  group.writeService(w);
  if (hasIso(time.present, time.ms)) {
    w.constant(K.timestamp);
    writeIso(w, time.ms);
  }
  if (hasIso(observed.present, observed.ms)) {
    w.constant(K.observedTimestamp);
    writeIso(w, observed.ms);
  }
  w.constant(K.severityNumber);
  writeNumber(w, severityNumber);
  if (severityText.start !== -1) {
    w.constant(K.severityText);
    severityText.write(w, bytes);
  }
  if (eventName.start !== -1) {
    w.constant(K.eventName);
    eventName.write(w, bytes);
  }
  if (bodyStart !== -1) {
    w.constant(K.body);
    w.range(parts.buffer, bodyStart, bodyEnd);
  }
  if (hasTrace) {
    w.constant(K.traceId);
    writeId(w, bytes, traceStart, traceEnd, traceId.decoded);
  }
  if (hasSpan) {
    w.constant(K.spanId);
    writeId(w, bytes, spanStart, spanEnd, spanId.decoded);
  }
  w.constant(K.flags);
  writeNumber(w, flags);
  w.constant(K.droppedAttributesCount);
  writeNumber(w, dropped);
  w.constant(K.resource);
  group.writeResource(w);
  w.constant(K.scope);
  group.writeScope(w);
  w.constant(K.attributes);
  if (attributesStart === -1) w.constant(K.emptyObject);
  else w.range(parts.buffer, attributesStart, attributesEnd);
  w.constant(K.end);
  return 1;
}
