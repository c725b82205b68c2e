/**
 * A metrics export request with every kind of data (gauge, sum, histogram, exponential histogram, summary) and the
 * rows it must give, one per data point.
 *
 * @module
 */
import type { MessageInitShape } from "@bufbuild/protobuf";
import { bytes, ExportMetricsServiceRequestSchema, forms, hex, kv, str } from "./_fixtures.ts";

const T = 1_700_000_000_123_456_789n;
const START = T - 60_000_000_000n;

export const METRICS: MessageInitShape<typeof ExportMetricsServiceRequestSchema> = {
  resourceMetrics: [{
    resource: { attributes: [kv("service.name", str("claude-code"))] },
    scopeMetrics: [{
      scope: { name: "com.anthropic.claude_code", version: "2.1.200" },
      metrics: [{
        name: "queue.depth",
        description: "Items waiting",
        unit: "1",
        metadata: [kv("source", str("sampler"))],
        data: {
          case: "gauge",
          value: {
            dataPoints: [{
              timeUnixNano: T,
              value: { case: "asDouble", value: 3.5 },
              attributes: [kv("queue", str("a"))],
              exemplars: [{
                timeUnixNano: T - 5n,
                value: { case: "asInt", value: -7n },
                traceId: bytes(16, 11),
                spanId: bytes(8, 12),
                filteredAttributes: [kv("user", str("u1"))],
              }],
            }, { timeUnixNano: T, flags: 1 }],
          },
        },
      }, {
        name: "claude_code.token.usage",
        unit: "tokens",
        data: {
          case: "sum",
          value: {
            aggregationTemporality: 1,
            isMonotonic: true,
            dataPoints: [{
              startTimeUnixNano: START,
              timeUnixNano: T,
              value: { case: "asInt", value: 12_000_000_000_000_000n },
              attributes: [kv("type", str("input"))],
            }],
          },
        },
      }, {
        name: "http.server.duration",
        unit: "ms",
        data: {
          case: "histogram",
          value: {
            aggregationTemporality: 2,
            dataPoints: [{
              startTimeUnixNano: START,
              timeUnixNano: T,
              count: 6n,
              sum: 42.5,
              bucketCounts: [1n, 2n, 3n],
              explicitBounds: [5, 10],
              min: 0.5,
              max: 20,
              exemplars: [{ timeUnixNano: T, value: { case: "asDouble", value: 7.25 } }],
            }, { timeUnixNano: T, count: 0n }],
          },
        },
      }, {
        name: "latency.exp",
        data: {
          case: "exponentialHistogram",
          value: {
            aggregationTemporality: 1,
            dataPoints: [{
              startTimeUnixNano: START,
              timeUnixNano: T,
              count: 10n,
              sum: 100,
              scale: -2,
              zeroCount: 1n,
              zeroThreshold: 0.001,
              positive: { offset: -3, bucketCounts: [4n, 0n, 5n] },
              negative: { offset: 2, bucketCounts: [] },
              min: 0,
              max: 50,
            }],
          },
        },
      }, {
        name: "rpc.summary",
        data: {
          case: "summary",
          value: {
            dataPoints: [{
              startTimeUnixNano: START,
              timeUnixNano: T,
              count: 4n,
              sum: 10,
              quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 2.5 }, { quantile: 1, value: 4 }],
              attributes: [kv("method", str("Get"))],
            }],
          },
        },
      }, { name: "no.data" }],
    }],
  }],
};

const BASE = {
  serviceName: "claude-code",
  resource: { "service.name": "claude-code" },
  scope: { name: "com.anthropic.claude_code", version: "2.1.200", attributes: {} },
};
const AT = "2023-11-14T22:13:20.123Z";
const FROM = "2023-11-14T22:12:20.123Z";

export const METRIC_ROWS = [{
  serviceName: "claude-code",
  metricName: "queue.depth",
  description: "Items waiting",
  unit: "1",
  resource: BASE.resource,
  scope: BASE.scope,
  metadata: { source: "sampler" },
  metricType: "gauge",
  timestamp: AT,
  flags: 0,
  value: 3.5,
  valueType: "double",
  attributes: { queue: "a" },
  exemplars: [{
    timestamp: AT,
    value: -7,
    valueType: "int",
    traceId: hex(16, 11),
    spanId: hex(8, 12),
    filteredAttributes: { user: "u1" },
  }],
}, {
  ...BASE,
  metricName: "queue.depth",
  description: "Items waiting",
  unit: "1",
  metadata: { source: "sampler" },
  metricType: "gauge",
  timestamp: AT,
  flags: 1,
  attributes: {},
  exemplars: [],
}, {
  ...BASE,
  metricName: "claude_code.token.usage",
  unit: "tokens",
  metadata: {},
  metricType: "sum",
  aggregationTemporality: 1,
  isMonotonic: true,
  startTimestamp: FROM,
  timestamp: AT,
  flags: 0,
  value: "12000000000000000",
  valueType: "int",
  attributes: { type: "input" },
  exemplars: [],
}, {
  ...BASE,
  metricName: "http.server.duration",
  unit: "ms",
  metadata: {},
  metricType: "histogram",
  aggregationTemporality: 2,
  startTimestamp: FROM,
  timestamp: AT,
  flags: 0,
  count: 6,
  sum: 42.5,
  bucketCounts: [1, 2, 3],
  explicitBounds: [5, 10],
  min: 0.5,
  max: 20,
  attributes: {},
  exemplars: [{ timestamp: AT, value: 7.25, valueType: "double", filteredAttributes: {} }],
}, {
  ...BASE,
  metricName: "http.server.duration",
  unit: "ms",
  metadata: {},
  metricType: "histogram",
  aggregationTemporality: 2,
  timestamp: AT,
  flags: 0,
  count: 0,
  bucketCounts: [],
  explicitBounds: [],
  attributes: {},
  exemplars: [],
}, {
  ...BASE,
  metricName: "latency.exp",
  metadata: {},
  metricType: "exponentialHistogram",
  aggregationTemporality: 1,
  startTimestamp: FROM,
  timestamp: AT,
  flags: 0,
  count: 10,
  sum: 100,
  scale: -2,
  zeroCount: 1,
  zeroThreshold: 0.001,
  positive: { offset: -3, bucketCounts: [4, 0, 5] },
  negative: { offset: 2, bucketCounts: [] },
  min: 0,
  max: 50,
  attributes: {},
  exemplars: [],
}, {
  ...BASE,
  metricName: "rpc.summary",
  metadata: {},
  metricType: "summary",
  startTimestamp: FROM,
  timestamp: AT,
  flags: 0,
  count: 4,
  sum: 10,
  quantileValues: [{ quantile: 0, value: 1 }, { quantile: 0.5, value: 2.5 }, { quantile: 1, value: 4 }],
  attributes: { method: "Get" },
}];

export const METRIC_FORMS = () => forms(ExportMetricsServiceRequestSchema, METRICS);
