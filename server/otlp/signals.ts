/**
 * The three OTLP signals the receiver takes, as data: where each is posted, how its protobuf is decoded, how its
 * rows are made, and how its `Export*ServiceResponse` is built. One handler serves them all.
 *
 * @module
 */
import { create, type DescMessage, type MessageInitShape } from "@bufbuild/protobuf";
import { ExportLogsServiceResponseSchema } from "./gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceResponseSchema } from "./gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceResponseSchema } from "./gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import { logRows } from "./normalize/logs.ts";
import { metricRows } from "./normalize/metrics.ts";
import { spanRows } from "./normalize/spans.ts";
import { decodeLogs } from "./protobuf/decode_logs.ts";
import { decodeMetrics } from "./protobuf/decode_metrics.ts";
import { decodeTraces } from "./protobuf/decode_traces.ts";

/** A normalized row. */
export type Row = Record<string, unknown>;

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
  /** The envelope's top-level field, e.g. `resourceSpans`. */
  readonly envelopeKey: string;
  /** Decodes an `Export*ServiceRequest` into its OTLP/JSON form. */
  decodeProtobuf(bytes: Uint8Array): Record<string, unknown>;
  /** Emits the normalized rows of an envelope in OTLP/JSON form, one at a time. */
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
  envelopeKey: "resourceSpans",
  decodeProtobuf: decodeTraces,
  rows: spanRows,
  response: (warning) =>
    response(ExportTraceServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** `/v1/metrics`: one row per data point. */
export const METRICS: Signal = {
  name: "metrics",
  path: "/v1/metrics",
  envelopeKey: "resourceMetrics",
  decodeProtobuf: decodeMetrics,
  rows: metricRows,
  response: (warning) =>
    response(ExportMetricsServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** `/v1/logs`: one row per log record. */
export const LOGS: Signal = {
  name: "logs",
  path: "/v1/logs",
  envelopeKey: "resourceLogs",
  decodeProtobuf: decodeLogs,
  rows: logRows,
  response: (warning) =>
    response(ExportLogsServiceResponseSchema, warning ? { partialSuccess: { errorMessage: warning } } : {}),
};

/** The signals, by path. */
export const SIGNALS: readonly Signal[] = [TRACES, METRICS, LOGS];
