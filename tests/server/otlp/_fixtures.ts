/**
 * Export requests with every field the receiver reads set, built with the code generated from the OTLP .proto files,
 * in each form a sender may use: protobuf bytes, OTLP/JSON as the spec writes it (hex ids, integer enums), and
 * protobuf's canonical JSON (base64 ids, enum names, snake_case keys on request).
 *
 * @module
 */
import { create, type DescMessage, type MessageInitShape, toBinary, toJson } from "@bufbuild/protobuf";
import { ExportLogsServiceRequestSchema } from "../../../server/otlp/gen/opentelemetry/proto/collector/logs/v1/logs_service_pb.ts";
import { ExportMetricsServiceRequestSchema } from "../../../server/otlp/gen/opentelemetry/proto/collector/metrics/v1/metrics_service_pb.ts";
import { ExportTraceServiceRequestSchema } from "../../../server/otlp/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { AnyValueSchema } from "../../../server/otlp/gen/opentelemetry/proto/common/v1/common_pb.ts";

type Value = MessageInitShape<typeof AnyValueSchema>["value"];
/** A `KeyValue` init. */
export const kv = (key: string, value: Value) => ({ key, value: { value } });
export const str = (value: string): Value => ({ case: "stringValue", value });
export const int = (value: bigint): Value => ({ case: "intValue", value });

/** The rows a normalizer emits for `envelope`, as an array. */
export function collect(
  normalize: (envelope: Record<string, unknown>, emit: (row: Record<string, unknown>) => void) => void,
  envelope: Record<string, unknown>,
): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  normalize(envelope, (row) => rows.push(row));
  return rows;
}

/** Bytes 0..n-1 shifted by `seed`: distinct, deterministic ids. */
export function bytes(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (seed + i * 7) & 0xff);
}
/** Lowercase hex of `bytes(n, seed)`. */
export function hex(n: number, seed: number): string {
  return [...bytes(n, seed)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The attribute values of every `AnyValue` kind, nested ones included. */
export const EVERY_VALUE = [
  kv("s", str("text ünïcødé 🙂")),
  kv("b", { case: "boolValue", value: true }),
  kv("i", int(-42n)),
  kv("big", int(9007199254740993n)),
  kv("d", { case: "doubleValue", value: 0.25 }),
  kv("bytes", { case: "bytesValue", value: Uint8Array.from([0, 1, 254, 255]) }),
  kv("empty", { case: undefined }),
  kv("arr", { case: "arrayValue", value: { values: [{ value: str("x") }, { value: int(7n) }] } }),
  kv("map", { case: "kvlistValue", value: { values: [kv("k", { case: "boolValue", value: false })] } }),
];
/** `EVERY_VALUE` as a row's attributes. */
export const EVERY_VALUE_ROW = {
  s: "text ünïcødé 🙂",
  b: true,
  i: -42,
  big: "9007199254740993",
  d: 0.25,
  bytes: "AAH+/w==",
  empty: null,
  arr: ["x", 7],
  map: { k: false },
};

const T = 1_700_000_000_123_456_789n;
const RESOURCE = { attributes: [kv("service.name", str("checkout")), kv("host.arch", str("x64"))] };
const SCOPE = { name: "lib", version: "1.2.3", attributes: [kv("scope.attr", int(1n))] };

export const TRACES: MessageInitShape<typeof ExportTraceServiceRequestSchema> = {
  resourceSpans: [{
    resource: RESOURCE,
    schemaUrl: "https://opentelemetry.io/schemas/1.30.0",
    scopeSpans: [{
      scope: SCOPE,
      spans: [{
        traceId: bytes(16, 1),
        spanId: bytes(8, 2),
        parentSpanId: bytes(8, 3),
        traceState: "k=v",
        flags: 0x301,
        name: "GET /cart",
        kind: 2,
        startTimeUnixNano: T,
        endTimeUnixNano: T + 1_500_250n,
        attributes: EVERY_VALUE,
        droppedAttributesCount: 1,
        events: [{ timeUnixNano: T + 1000n, name: "ev", attributes: [kv("e", int(1n))], droppedAttributesCount: 2 }],
        droppedEventsCount: 3,
        links: [{ traceId: bytes(16, 4), spanId: bytes(8, 5), traceState: "a=b", attributes: [], flags: 1 }],
        droppedLinksCount: 4,
        status: { code: 2, message: "boom" },
      }, {
        traceId: bytes(16, 1),
        spanId: bytes(8, 6),
        name: "",
        startTimeUnixNano: T,
        endTimeUnixNano: T - 1n,
      }],
    }],
  }, { scopeSpans: [{ spans: [{ traceId: bytes(16, 7), spanId: bytes(8, 8), name: "orphan" }] }] }],
};

export const SPAN_ROWS = [{
  serviceName: "checkout",
  traceId: hex(16, 1),
  spanId: hex(8, 2),
  parentSpanId: hex(8, 3),
  name: "GET /cart",
  kind: 2,
  traceState: "k=v",
  startTimestamp: "2023-11-14T22:13:20.123Z",
  endTimestamp: "2023-11-14T22:13:20.124Z",
  durationMs: 1.50025,
  flags: 0x301,
  droppedAttributesCount: 1,
  droppedEventsCount: 3,
  droppedLinksCount: 4,
  status: { code: 2, message: "boom" },
  resource: { "service.name": "checkout", "host.arch": "x64" },
  scope: { name: "lib", version: "1.2.3", attributes: { "scope.attr": 1 } },
  attributes: EVERY_VALUE_ROW,
  events: [{ timestamp: "2023-11-14T22:13:20.123Z", name: "ev", droppedAttributesCount: 2, attributes: { e: 1 } }],
  links: [{
    traceId: hex(16, 4),
    spanId: hex(8, 5),
    traceState: "a=b",
    flags: 1,
    droppedAttributesCount: 0,
    attributes: {},
  }],
}, {
  serviceName: "checkout",
  traceId: hex(16, 1),
  spanId: hex(8, 6),
  name: "",
  kind: 0,
  startTimestamp: "2023-11-14T22:13:20.123Z",
  endTimestamp: "2023-11-14T22:13:20.123Z",
  flags: 0,
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
  status: { code: 0 },
  resource: { "service.name": "checkout", "host.arch": "x64" },
  scope: { name: "lib", version: "1.2.3", attributes: { "scope.attr": 1 } },
  attributes: {},
  events: [],
  links: [],
}, {
  serviceName: "_unknown",
  traceId: hex(16, 7),
  spanId: hex(8, 8),
  name: "orphan",
  kind: 0,
  flags: 0,
  droppedAttributesCount: 0,
  droppedEventsCount: 0,
  droppedLinksCount: 0,
  status: { code: 0 },
  resource: {},
  scope: { attributes: {} },
  attributes: {},
  events: [],
  links: [],
}];

export const LOGS: MessageInitShape<typeof ExportLogsServiceRequestSchema> = {
  resourceLogs: [{
    resource: RESOURCE,
    scopeLogs: [{
      scope: SCOPE,
      logRecords: [
        {
          timeUnixNano: T,
          observedTimeUnixNano: T + 2_000_000n,
          severityNumber: 17,
          severityText: "ERROR",
          body: { value: { case: "kvlistValue", value: { values: EVERY_VALUE } } },
          attributes: [kv("event.name", str("claude_code.api_error"))],
          droppedAttributesCount: 5,
          flags: 1,
          traceId: bytes(16, 9),
          spanId: bytes(8, 10),
          eventName: "claude_code.api_error",
        },
        { body: { value: { case: undefined } } },
        {},
      ],
    }],
  }],
};

const LOG_BASE = {
  serviceName: "checkout",
  resource: { "service.name": "checkout", "host.arch": "x64" },
  scope: { name: "lib", version: "1.2.3", attributes: { "scope.attr": 1 } },
};
export const LOG_ROWS = [{
  serviceName: "checkout",
  timestamp: "2023-11-14T22:13:20.123Z",
  observedTimestamp: "2023-11-14T22:13:20.125Z",
  severityNumber: 17,
  severityText: "ERROR",
  eventName: "claude_code.api_error",
  body: EVERY_VALUE_ROW,
  traceId: hex(16, 9),
  spanId: hex(8, 10),
  flags: 1,
  droppedAttributesCount: 5,
  resource: LOG_BASE.resource,
  scope: LOG_BASE.scope,
  attributes: { "event.name": "claude_code.api_error" },
}, {
  ...LOG_BASE,
  severityNumber: 0,
  flags: 0,
  droppedAttributesCount: 0,
  attributes: {},
}, { ...LOG_BASE, severityNumber: 0, flags: 0, droppedAttributesCount: 0, attributes: {} }];

/** Builds a request's forms: protobuf bytes, OTLP/JSON (what the spec asks for) and protobuf's canonical JSON. */
export function forms<Desc extends DescMessage>(schema: Desc, init: MessageInitShape<Desc>) {
  const message = create(schema, init);
  const canonical = toJson(schema, message) as Record<string, unknown>;
  return {
    protobuf: toBinary(schema, message),
    /** OTLP/JSON: hex ids, integer enums, lowerCamelCase. */
    otlpJson: hexIds(toJson(schema, message, { enumAsInteger: true })) as Record<string, unknown>,
    /** What a sender using protobuf's own JSON mapping sends: base64 ids, enum names. */
    canonical,
    /** The same with the .proto field names as keys. */
    snakeCase: toJson(schema, message, { useProtoFieldName: true }) as Record<string, unknown>,
  };
}

/**
 * The OTLP/JSON the protobuf decoder writes to `raw/`: `otlpJson` with `intValue`s that are exact as numbers written
 * as numbers (OTLP/JSON takes either; JavaScript exporters send numbers).
 */
export function withNumericInts(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(withNumericInts);
  else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(object)) {
      if (key === "intValue" && typeof item === "string" && Number.isSafeInteger(Number(item))) {
        object[key] = Number(item);
      } else withNumericInts(item);
    }
  }
  return value;
}

const ID_KEYS = new Set(["traceId", "spanId", "parentSpanId"]);

/** Rewrites base64 ids (protobuf's JSON mapping) as hex (OTLP/JSON's), in place. */
function hexIds(value: unknown): unknown {
  if (Array.isArray(value)) value.forEach(hexIds);
  else if (value !== null && typeof value === "object") {
    const object = value as Record<string, unknown>;
    for (const [key, item] of Object.entries(object)) {
      if (ID_KEYS.has(key) && typeof item === "string") {
        object[key] = [...atob(item)].map((c) => c.charCodeAt(0).toString(16).padStart(2, "0")).join("");
      } else hexIds(item);
    }
  }
  return value;
}

export const TRACE_FORMS = () => forms(ExportTraceServiceRequestSchema, TRACES);
export const LOG_FORMS = () => forms(ExportLogsServiceRequestSchema, LOGS);
export { ExportLogsServiceRequestSchema, ExportMetricsServiceRequestSchema, ExportTraceServiceRequestSchema };
