/**
 * Traces to rows: one row per span, with its resource, scope, events and links inlined (reference §5.4).
 *
 * @module
 */
import { requestRows, type RequestShape, type ResourceFields, type Row, type Scope } from "./common.ts";
import { between, iso, isoTime, nanos } from "./nanos.ts";
import { attributes, hexId, int32, list, object, text } from "./values.ts";

/** The span kinds by number, as OTLP/JSON may name them. */
export const SPAN_KINDS = [
  "SPAN_KIND_UNSPECIFIED",
  "SPAN_KIND_INTERNAL",
  "SPAN_KIND_SERVER",
  "SPAN_KIND_CLIENT",
  "SPAN_KIND_PRODUCER",
  "SPAN_KIND_CONSUMER",
];
/** The status codes by number. */
export const STATUS_CODES = ["STATUS_CODE_UNSET", "STATUS_CODE_OK", "STATUS_CODE_ERROR"];

/**
 * Emits the span rows of an `ExportTraceServiceRequest` in OTLP/JSON form, one at a time (so the caller can
 * serialize each and let it go).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { spanRows } from "./spans.ts";
 *
 * const rows: Record<string, unknown>[] = [];
 * spanRows({
 *   resourceSpans: [{
 *     resource: { attributes: [{ key: "service.name", value: { stringValue: "api" } }] },
 *     scopeSpans: [{ spans: [{ traceId: "5B8EFFF798038103D269B633813FC60C", spanId: "eee19b7ec3c1b174", name: "GET /",
 *       startTimeUnixNano: "1544712660000000000", endTimeUnixNano: "1544712661000000000" }] }],
 *   }],
 * }, (row) => rows.push(row));
 * const [row] = rows;
 * assert.equal(row.serviceName, "api");
 * assert.equal(row.traceId, "5b8efff798038103d269b633813fc60c");
 * assert.equal(row.durationMs, 1000);
 * ```
 */
export function spanRows(envelope: Record<string, unknown>, emit: (row: Row) => void): void {
  requestRows(envelope, TRACE_REQUEST, spanRow, emit);
}

/** The levels of an `ExportTraceServiceRequest`. */
export const TRACE_REQUEST: RequestShape = {
  resources: "resourceSpans",
  scopes: "scopeSpans",
  records: "spans",
  record: "a span",
};

/** Emits the row of one span in OTLP/JSON form. */
export function spanRow(
  span: Record<string, unknown>,
  { serviceName, resource }: ResourceFields,
  scope: Scope,
  emit: (row: Row) => void,
): void {
  const status = object(span.status, "span.status");
  const start = nanos(span.startTimeUnixNano);
  const end = nanos(span.endTimeUnixNano);
  emit({
    serviceName,
    traceId: hexId(span.traceId, "traceId", 16),
    spanId: hexId(span.spanId, "spanId", 8),
    parentSpanId: hexId(span.parentSpanId, "parentSpanId", 8),
    name: text(span.name, "span.name") ?? "",
    kind: int32(span.kind, "span.kind", SPAN_KINDS),
    traceState: text(span.traceState, "traceState"),
    startTimestamp: iso(start),
    endTimestamp: iso(end),
    durationMs: between(start, end),
    flags: int32(span.flags, "span.flags"),
    droppedAttributesCount: int32(span.droppedAttributesCount, "droppedAttributesCount"),
    droppedEventsCount: int32(span.droppedEventsCount, "droppedEventsCount"),
    droppedLinksCount: int32(span.droppedLinksCount, "droppedLinksCount"),
    status: {
      code: int32(status?.code, "status.code", STATUS_CODES),
      message: text(status?.message, "status.message"),
    },
    resource,
    scope,
    attributes: attributes(span.attributes),
    events: list(span.events, "events").map(eventOf),
    links: list(span.links, "links").map(linkOf),
  });
}

function eventOf(value: unknown) {
  const event = object(value, "an event") ?? {};
  return {
    timestamp: isoTime(event.timeUnixNano),
    name: text(event.name, "event.name") ?? "",
    droppedAttributesCount: int32(event.droppedAttributesCount, "droppedAttributesCount"),
    attributes: attributes(event.attributes),
  };
}

function linkOf(value: unknown) {
  const link = object(value, "a link") ?? {};
  return {
    traceId: hexId(link.traceId, "link.traceId", 16),
    spanId: hexId(link.spanId, "link.spanId", 8),
    traceState: text(link.traceState, "link.traceState"),
    flags: int32(link.flags, "link.flags"),
    droppedAttributesCount: int32(link.droppedAttributesCount, "droppedAttributesCount"),
    attributes: attributes(link.attributes),
  };
}
