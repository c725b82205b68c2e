/**
 * Metrics to rows: one row per data point of a gauge, sum, histogram, exponential histogram or summary, with the
 * metric's name, description, unit, metadata, resource and scope inlined (reference §5.4).
 *
 * @module
 */
import { requestRows, type RequestShape, type ResourceFields, type Row, type Scope } from "./common.ts";
import { isoTime } from "./nanos.ts";
import { type Attributes, attributes, bool, double, hexId, int32, int64, list, object, text } from "./values.ts";

/** The aggregation temporalities by number. */
export const TEMPORALITIES = [
  "AGGREGATION_TEMPORALITY_UNSPECIFIED",
  "AGGREGATION_TEMPORALITY_DELTA",
  "AGGREGATION_TEMPORALITY_CUMULATIVE",
];

type Point = Record<string, unknown>;

/** The fields every data point row of one metric starts with. */
interface MetricBase {
  serviceName: string;
  metricName: string;
  description?: string;
  unit?: string;
  resource: Attributes;
  scope: Scope;
  metadata: Attributes;
}

/**
 * Emits the data point rows of an `ExportMetricsServiceRequest` in OTLP/JSON form, one at a time (so the caller can
 * serialize each and let it go).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { metricRows } from "./metrics.ts";
 *
 * const rows: Record<string, unknown>[] = [];
 * metricRows({
 *   resourceMetrics: [{ scopeMetrics: [{ metrics: [{ name: "claude_code.token.usage", unit: "tokens",
 *     sum: { aggregationTemporality: 1, isMonotonic: true, dataPoints: [{ asInt: "1200", timeUnixNano: "1544712660300000000" }] } }] }] }],
 * }, (row) => rows.push(row));
 * const [row] = rows;
 * assert.equal(row.metricType, "sum");
 * assert.equal(row.value, 1200);
 * assert.equal(row.valueType, "int");
 * ```
 */
export function metricRows(envelope: Record<string, unknown>, emit: (row: Row) => void): void {
  requestRows(envelope, METRIC_REQUEST, metricPointRows, emit);
}

/** The levels of an `ExportMetricsServiceRequest`. */
export const METRIC_REQUEST: RequestShape = {
  resources: "resourceMetrics",
  scopes: "scopeMetrics",
  records: "metrics",
  record: "a metric",
};

/** Emits a row per data point of one metric in OTLP/JSON form. */
export function metricPointRows(
  metric: Record<string, unknown>,
  { serviceName, resource }: ResourceFields,
  scope: Scope,
  emit: (row: Row) => void,
): void {
  const base: MetricBase = {
    serviceName,
    metricName: text(metric.name, "metric.name") ?? "",
    description: text(metric.description, "metric.description"),
    unit: text(metric.unit, "metric.unit"),
    resource,
    scope,
    metadata: attributes(metric.metadata),
  };
  pointRows(base, metric, emit);
}

/** Emits a row per data point of `metric` (whichever of the five data kinds it carries). */
function pointRows(base: MetricBase, metric: Record<string, unknown>, emit: (row: Row) => void): void {
  const gauge = object(metric.gauge, "gauge");
  if (gauge) {
    for (const p of points(gauge)) emit({ ...base, metricType: "gauge", ...numberPoint(p) });
    return;
  }
  const sum = object(metric.sum, "sum");
  if (sum) {
    const aggregationTemporality = int32(sum.aggregationTemporality, "aggregationTemporality", TEMPORALITIES);
    const isMonotonic = bool(sum.isMonotonic, "isMonotonic");
    for (const p of points(sum)) {
      emit({ ...base, metricType: "sum", aggregationTemporality, isMonotonic, ...numberPoint(p) });
    }
    return;
  }
  const histogram = object(metric.histogram, "histogram");
  if (histogram) {
    const aggregationTemporality = int32(histogram.aggregationTemporality, "aggregationTemporality", TEMPORALITIES);
    for (const p of points(histogram)) {
      emit({
        ...base,
        metricType: "histogram",
        aggregationTemporality,
        ...times(p),
        count: int64(p.count, "count", 0),
        sum: double(p.sum, "sum"),
        bucketCounts: list(p.bucketCounts, "bucketCounts").map((n) => int64(n, "bucketCounts")),
        explicitBounds: list(p.explicitBounds, "explicitBounds").map((n) => double(n, "explicitBounds")),
        min: double(p.min, "min"),
        max: double(p.max, "max"),
        attributes: attributes(p.attributes),
        exemplars: exemplars(p),
      });
    }
    return;
  }
  const exponential = object(metric.exponentialHistogram, "exponentialHistogram");
  if (exponential) {
    const aggregationTemporality = int32(exponential.aggregationTemporality, "aggregationTemporality", TEMPORALITIES);
    for (const p of points(exponential)) {
      emit({
        ...base,
        metricType: "exponentialHistogram",
        aggregationTemporality,
        ...times(p),
        count: int64(p.count, "count", 0),
        sum: double(p.sum, "sum"),
        scale: int32(p.scale, "scale"),
        zeroCount: int64(p.zeroCount, "zeroCount", 0),
        zeroThreshold: double(p.zeroThreshold, "zeroThreshold") ?? 0,
        positive: buckets(p.positive, "positive"),
        negative: buckets(p.negative, "negative"),
        min: double(p.min, "min"),
        max: double(p.max, "max"),
        attributes: attributes(p.attributes),
        exemplars: exemplars(p),
      });
    }
    return;
  }
  const summary = object(metric.summary, "summary");
  if (summary) {
    for (const p of points(summary)) {
      emit({
        ...base,
        metricType: "summary",
        ...times(p),
        count: int64(p.count, "count", 0),
        sum: double(p.sum, "sum") ?? 0,
        quantileValues: list(p.quantileValues, "quantileValues").map((value) => {
          const q = object(value, "a quantile value") ?? {};
          return { quantile: double(q.quantile, "quantile") ?? 0, value: double(q.value, "value") ?? 0 };
        }),
        attributes: attributes(p.attributes),
      });
    }
  }
}

function points(data: Record<string, unknown>): Point[] {
  return list(data.dataPoints, "dataPoints").map((p) => object(p, "a data point") ?? {});
}

function times(p: Point) {
  return {
    startTimestamp: isoTime(p.startTimeUnixNano),
    timestamp: isoTime(p.timeUnixNano),
    flags: int32(p.flags, "flags"),
  };
}

/** The value of a gauge or sum point (or an exemplar): `asDouble` or `asInt`, and which it was. */
function numberValue(p: Point) {
  if (p.asDouble !== undefined) return { value: double(p.asDouble, "asDouble"), valueType: "double" };
  if (p.asInt !== undefined) return { value: int64(p.asInt, "asInt"), valueType: "int" };
  return { value: undefined, valueType: undefined };
}

function numberPoint(p: Point) {
  return { ...times(p), ...numberValue(p), attributes: attributes(p.attributes), exemplars: exemplars(p) };
}

function exemplars(p: Point) {
  return list(p.exemplars, "exemplars").map((value) => {
    const e = object(value, "an exemplar") ?? {};
    return {
      timestamp: isoTime(e.timeUnixNano),
      ...numberValue(e),
      traceId: hexId(e.traceId, "exemplar.traceId", 16),
      spanId: hexId(e.spanId, "exemplar.spanId", 8),
      filteredAttributes: attributes(e.filteredAttributes),
    };
  });
}

function buckets(value: unknown, what: string) {
  const b = object(value, what);
  if (b === undefined) return undefined;
  return {
    offset: int32(b.offset, `${what}.offset`),
    bucketCounts: list(b.bucketCounts, `${what}.bucketCounts`).map((n) => int64(n, `${what}.bucketCounts`)),
  };
}
