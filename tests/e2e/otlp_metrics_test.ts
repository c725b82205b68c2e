/**
 * The OpenTelemetry JS metric exporters from npm (`-otlp-proto` and `-otlp-http`) send a counter, an up-down
 * counter, a gauge, a histogram and an exponential histogram to a running `ctvs`; every data point must be a row
 * equal to what the SDK handed the exporter.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ValueType } from "@opentelemetry/api";
import { OTLPMetricExporter as HttpJsonExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AggregationTemporality,
  AggregationType,
  DataPointType,
  MeterProvider,
  type MetricData,
  PeriodicExportingMetricReader,
  type ResourceMetrics,
} from "@opentelemetry/sdk-metrics";
import { iso, recording, startOtlpCtvs, written } from "./otlp_ctvs.ts";

/** The rows a metric must give, one per data point, built from the SDK's data (the transformer's rules). */
function expectedRows(resource: ResourceMetrics["resource"], scope: { name: string; version?: string }, m: MetricData) {
  const base = {
    serviceName: resource.attributes["service.name"],
    metricName: m.descriptor.name,
    description: m.descriptor.description || undefined,
    unit: m.descriptor.unit || undefined,
    resource: resource.attributes,
    scope: { name: scope.name, version: scope.version || undefined, attributes: {} },
    metadata: {},
  };
  const temporality = m.aggregationTemporality === AggregationTemporality.DELTA ? 1 : 2;
  return m.dataPoints.map((p) => {
    const times = { startTimestamp: iso(p.startTime), timestamp: iso(p.endTime), flags: 0 };
    // A number for sums and gauges, a histogram object for the others, as the point type says.
    // deno-lint-ignore no-explicit-any
    const value = p.value as any;
    switch (m.dataPointType) {
      case DataPointType.SUM:
      case DataPointType.GAUGE:
        return written({
          ...base,
          metricType: m.dataPointType === DataPointType.SUM ? "sum" : "gauge",
          aggregationTemporality: m.dataPointType === DataPointType.SUM ? temporality : undefined,
          isMonotonic: m.dataPointType === DataPointType.SUM ? m.isMonotonic : undefined,
          ...times,
          value,
          valueType: m.descriptor.valueType === ValueType.INT ? "int" : "double",
          attributes: p.attributes,
          exemplars: [],
        });
      case DataPointType.HISTOGRAM:
        return written({
          ...base,
          metricType: "histogram",
          aggregationTemporality: temporality,
          ...times,
          count: value.count,
          sum: value.sum,
          bucketCounts: value.buckets.counts,
          explicitBounds: value.buckets.boundaries,
          min: value.min,
          max: value.max,
          attributes: p.attributes,
          exemplars: [],
        });
      case DataPointType.EXPONENTIAL_HISTOGRAM:
        return written({
          ...base,
          metricType: "exponentialHistogram",
          aggregationTemporality: temporality,
          ...times,
          count: value.count,
          sum: value.sum,
          scale: value.scale,
          zeroCount: value.zeroCount,
          zeroThreshold: 0,
          positive: value.positive,
          negative: value.negative,
          min: value.min,
          max: value.max,
          attributes: p.attributes,
          exemplars: [],
        });
    }
  });
}

const key = (row: Record<string, unknown>) => `${row.metricName} ${JSON.stringify(row.attributes)}`;

for (const [name, Exporter] of [["proto", ProtoExporter], ["http (JSON)", HttpJsonExporter]] as const) {
  test(`${name} metric exporter: every data point arrives as a row equal to what the SDK sent`, async () => {
    const ctvs = await startOtlpCtvs();
    try {
      const { exporter, sent, results } = recording(
        new Exporter({
          url: `${ctvs.url}/v1/metrics`,
          temporalityPreference: AggregationTemporality.DELTA, // Claude Code's default
        }),
      );
      const reader = new PeriodicExportingMetricReader({
        exporter: exporter as never,
        exportIntervalMillis: 3_600_000,
      });
      const provider = new MeterProvider({
        resource: resourceFromAttributes({ "service.name": "claude-code", "session.id": "s-1" }),
        readers: [reader],
        views: [{ instrumentName: "e2e.size", aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
      });
      const meter = provider.getMeter("com.anthropic.claude_code", "2.1.200");
      const tokens = meter.createCounter("claude_code.token.usage", { unit: "tokens", valueType: ValueType.INT });
      tokens.add(1200, { type: "input", model: "claude-sonnet-4-5" });
      tokens.add(340, { type: "output", model: "claude-sonnet-4-5" });
      meter.createCounter("claude_code.cost.usage", { unit: "USD", description: "Cost" }).add(0.0123, { model: "x" });
      meter.createUpDownCounter("e2e.queue").add(-3);
      meter.createGauge("e2e.temperature", { unit: "Cel" }).record(21.5, { room: "a" });
      const latency = meter.createHistogram("e2e.latency", {
        unit: "ms",
        advice: { explicitBucketBoundaries: [10, 100] },
      });
      for (const ms of [5, 50, 500]) latency.record(ms);
      const size = meter.createHistogram("e2e.size");
      for (const n of [0, 1, 2, 1000]) size.record(n);
      await provider.forceFlush();
      await provider.shutdown();

      assert.ok(results.length >= 1 && results.every((r) => r.code === 0), "every export succeeded");
      const expected = (sent as ResourceMetrics[]).flatMap((rm) =>
        rm.scopeMetrics.flatMap((sm) => sm.metrics.flatMap((m) => expectedRows(rm.resource, sm.scope, m)))
      );
      const rows = await ctvs.rows("metrics");
      assert.equal(expected.length, 8);
      assert.deepEqual(
        rows.sort((a, b) => key(a).localeCompare(key(b))),
        expected.sort((a, b) => key(a!).localeCompare(key(b!))),
      );
      assert.ok(rows.some((r) => r.metricType === "exponentialHistogram"));
    } finally {
      assert.equal(await ctvs.stop(), 0);
    }
  });
}
