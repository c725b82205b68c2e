/**
 * Logs to rows: one row per log record, with its resource and scope inlined (reference §5.4, plus `eventName`).
 *
 * @module
 */
import { requestRows, type RequestShape, type ResourceFields, type Row, type Scope } from "./common.ts";
import { isoTime } from "./nanos.ts";
import { anyValue, attributes, hexId, int32, text } from "./values.ts";

/** The severity numbers by number, as OTLP/JSON may name them. */
export const SEVERITY_NUMBERS = [
  "SEVERITY_NUMBER_UNSPECIFIED",
  ...["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"].flatMap((level) =>
    ["", "2", "3", "4"].map((n) => `SEVERITY_NUMBER_${level}${n}`)
  ),
];

/**
 * Emits the log rows of an `ExportLogsServiceRequest` in OTLP/JSON form, one at a time. `body` is the converted `AnyValue`, left out
 * when the record has none or an empty one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { logRows } from "./logs.ts";
 *
 * const rows: Record<string, unknown>[] = [];
 * logRows({
 *   resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: "1544712660300000000", severityNumber: 9,
 *     body: { stringValue: "hi" }, attributes: [{ key: "event.name", value: { stringValue: "claude_code.api_request" } }] }] }] }],
 * }, (row) => rows.push(row));
 * const [row] = rows;
 * assert.equal(row.serviceName, "_unknown");
 * assert.equal(row.timestamp, "2018-12-13T14:51:00.300Z");
 * assert.deepEqual(row.attributes, { "event.name": "claude_code.api_request" });
 * ```
 */
export function logRows(envelope: Record<string, unknown>, emit: (row: Row) => void): void {
  requestRows(envelope, LOG_REQUEST, logRow, emit);
}

/** The levels of an `ExportLogsServiceRequest`. */
export const LOG_REQUEST: RequestShape = {
  resources: "resourceLogs",
  scopes: "scopeLogs",
  records: "logRecords",
  record: "a log record",
};

/** Emits the row of one log record in OTLP/JSON form. */
export function logRow(
  record: Record<string, unknown>,
  { serviceName, resource }: ResourceFields,
  scope: Scope,
  emit: (row: Row) => void,
): void {
  emit({
    serviceName,
    timestamp: isoTime(record.timeUnixNano),
    observedTimestamp: isoTime(record.observedTimeUnixNano),
    severityNumber: int32(record.severityNumber, "severityNumber", SEVERITY_NUMBERS),
    severityText: text(record.severityText, "severityText"),
    eventName: text(record.eventName, "eventName"),
    // An empty body is no body: exporters send either for a record without one (JSON `{}`, protobuf nothing).
    body: record.body === undefined ? undefined : anyValue(record.body) ?? undefined,
    traceId: hexId(record.traceId, "traceId", 16),
    spanId: hexId(record.spanId, "spanId", 8),
    flags: int32(record.flags, "flags"),
    droppedAttributesCount: int32(record.droppedAttributesCount, "droppedAttributesCount"),
    resource,
    scope,
    attributes: attributes(record.attributes),
  });
}
