/**
 * The three OTLP signals the receiver takes, as data: where each is posted, the levels of its requests, how a
 * record is read from protobuf, how its rows are made, and how its `Export*ServiceResponse` is built. One handler
 * serves them all.
 *
 * @module
 */
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { ExportLogsServiceResponseSchema } from "./gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceResponseSchema } from "./gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceResponseSchema } from "./gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { RecordTranscoder } from "./json/transcode_request.ts";
import { logRecord } from "./json/transcode_logs.ts";
import { metricRecord } from "./json/transcode_metrics.ts";
import { spanRecord } from "./json/transcode_spans.ts";
import type { RecordRows, RequestShape, Row } from "./normalize/common.ts";
import { LOG_REQUEST, logRow, logRows } from "./normalize/logs.ts";
import { METRIC_REQUEST, metricPointRows, metricRows } from "./normalize/metrics.ts";
import { spanRow, spanRows, TRACE_REQUEST } from "./normalize/spans.ts";
import type { OtlpReader } from "./protobuf/otlp_reader.ts";
import { readLogRecord } from "./protobuf/read_log_record.ts";
import { readMetric } from "./protobuf/read_metric.ts";
import { readSpan } from "./protobuf/read_span.ts";
import type { Json } from "./protobuf/wire.ts";

export type { Row };

/** A response message ready to encode: its schema and the message. */
export interface ResponseMessage {
  schema: DescMessage;
  message: ReturnType<typeof create>;
}

/** One OTLP signal. */
export interface Signal {
  /** `traces`, `metrics` or `logs`: the directory its rows go to (and `raw/<name>` for the envelopes). */
  readonly name: "traces" | "metrics" | "logs";
  /** The default OTLP/HTTP path. */
  readonly path: string;
  /** The request's levels in OTLP/JSON: `resourceSpans` > `scopeSpans` > `spans`. */
  readonly shape: RequestShape;
  /** Reads one record (a span, a log record, a metric) of a protobuf request into its OTLP/JSON form. */
  readProtobufRecord(r: OtlpReader, end: number): Json;
  /** Emits the normalized rows of one record in OTLP/JSON form, given its resource and scope. */
  recordRows: RecordRows;
  /** Writes the row lines of one OTLP/JSON record straight from its bytes (the fast path), when the signal has one. */
  transcodeJsonRecord?: RecordTranscoder;
  /** Emits the normalized rows of a whole request in OTLP/JSON form, one at a time. */
  rows(envelope: Record<string, unknown>, emit: (row: Row) => void): void;
  /** The `Export*ServiceResponse`: empty on full success, or with a partial success warning. */
  response(warning?: string): ResponseMessage;
}

function response<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>): ResponseMessage {
  return { schema, message: create(schema, init) };
}

/** `/v1/traces`: one row per span. */
export const TRACES: Signal = {
  name: "traces",
  path: "/v1/traces",
  shape: TRACE_REQUEST,
  readProtobufRecord: readSpan,
  recordRows: spanRow,
  transcodeJsonRecord: spanRecord,
  rows: spanRows,
  response: (warning) =>
    response(ExportTraceServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** `/v1/metrics`: one row per data point. */
export const METRICS: Signal = {
  name: "metrics",
  path: "/v1/metrics",
  shape: METRIC_REQUEST,
  readProtobufRecord: readMetric,
  recordRows: metricPointRows,
  transcodeJsonRecord: metricRecord,
  rows: metricRows,
  response: (warning) =>
    response(ExportMetricsServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** `/v1/logs`: one row per log record. */
export const LOGS: Signal = {
  name: "logs",
  path: "/v1/logs",
  shape: LOG_REQUEST,
  readProtobufRecord: readLogRecord,
  recordRows: logRow,
  transcodeJsonRecord: logRecord,
  rows: logRows,
  response: (warning) =>
    response(ExportLogsServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** The signals, by path. */
export const SIGNALS: readonly Signal[] = [TRACES, METRICS, LOGS];
