/**
 * A `LogRecord` message to its OTLP/JSON form, read in one pass.
 *
 * @module
 */
import type { OtlpReader } from "./otlp_reader.ts";
import { anyValue, done, I32, I64, type Json, LEN, nestedEnd, pushKeyValue, skip, tag, VARINT } from "./wire.ts";

/**
 * Reads the `LogRecord` message ending at `end`. Throws an `OtlpError` (400) or the reader's own error on malformed
 * input; the caller turns both into a 400.
 */
export function readLogRecord(r: OtlpReader, end: number): Json {
  const l: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    switch (t) {
      case (1 << 3) | I64:
        l.timeUnixNano = r.fixed64Decimal();
        break;
      case (11 << 3) | I64:
        l.observedTimeUnixNano = r.fixed64Decimal();
        break;
      case (2 << 3) | VARINT:
        l.severityNumber = r.int32();
        break;
      case (3 << 3) | LEN:
        l.severityText = r.text();
        break;
      case (5 << 3) | LEN:
        l.body = anyValue(r, nestedEnd(r, end), 0);
        break;
      case (6 << 3) | LEN:
        l.attributes = pushKeyValue(r, end, l.attributes as Json[] | undefined);
        break;
      case (7 << 3) | VARINT:
        l.droppedAttributesCount = r.uint32();
        break;
      case (8 << 3) | I32:
        l.flags = r.fixed32();
        break;
      case (9 << 3) | LEN:
        l.traceId = r.hexId();
        break;
      case (10 << 3) | LEN:
        l.spanId = r.hexId();
        break;
      case (12 << 3) | LEN:
        l.eventName = r.text();
        break;
      default:
        skip(r, t);
    }
  }
  done(r, end);
  return l;
}
