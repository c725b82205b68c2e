/**
 * What a gateway receives in the fleet tests, from the real clients: the OpenTelemetry SDK's logs, traces and metrics
 * through its OTLP exporters (protobuf), and Anthropic SDK requests through the gateway's proxy. Each item carries a
 * unique key, and the feeder keeps the keys of the items the gateway acknowledged (the exporter's export succeeded,
 * the SDK got its answer), with when, so a test can look for them in Central's files.
 *
 * @module
 */
import Anthropic from "@anthropic-ai/sdk";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchLogRecordProcessor, LoggerProvider, type ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, type ReadableSpan, TracerProvider } from "@opentelemetry/sdk-trace";
import { iso } from "./otlp_ctvs.ts";

/** The signals a feeder sends. */
export type FedSignal = "logs" | "traces" | "metrics" | "proxy";

/** Keys of acknowledged items, each with the time it was acknowledged. */
export type Acked = Record<FedSignal, Map<string, number>>;

/** The key of a row Central wrote, the same as the feeder's key of the item it came from. */
export function rowKey(signal: FedSignal, row: Record<string, unknown>): string | undefined {
  switch (signal) {
    case "logs":
      return typeof row.body === "string" ? row.body : undefined;
    case "traces":
      return row.spanId as string;
    case "metrics":
      return `${row.metricName}|${JSON.stringify(row.attributes)}|${row.timestamp}`;
    case "proxy": {
      if (row.kind !== "exchange") return undefined;
      const headers = (row.request as { headers?: Record<string, string> })?.headers;
      return headers?.["x-test-seq"];
    }
  }
}

interface Export<T> {
  export(items: T[], done: (result: { code: number }) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

/** `exporter`, telling `onAck` about each batch it exported successfully. */
function acking<T, E extends object>(exporter: E, onAck: (items: T[]) => void): E {
  return new Proxy(exporter, {
    get(target, property) {
      if (property === "export") {
        // Log and span exporters get an array; the metric exporter one ResourceMetrics.
        return (items: T[] | T, done: (result: { code: number }) => void) => {
          (target as unknown as Export<T>).export(items as T[], (result) => {
            if (result.code === 0) onAck(Array.isArray(items) ? items : [items]);
            done(result);
          });
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** Feeds one gateway; see the module doc. */
export class Feeder {
  readonly acked: Acked = { logs: new Map(), traces: new Map(), metrics: new Map(), proxy: new Map() };
  /** Requests and exports that failed (the gateway was down). */
  failures = 0;
  readonly #id: string;
  readonly #logs: LoggerProvider;
  readonly #traces: TracerProvider;
  readonly #metrics: MeterProvider;
  readonly #client: Anthropic;
  #timers: ReturnType<typeof setInterval>[] = [];
  #inFlight = new Set<Promise<unknown>>();
  #seq = 0;

  constructor(id: string, otelUrl: string, proxyUrl: string) {
    this.#id = id;
    const resource = resourceFromAttributes({ "service.name": `fleet-${id}` });
    const ack = (signal: FedSignal, keys: string[]) => {
      const now = Date.now();
      for (const key of keys) this.acked[signal].set(key, now);
    };
    const logExporter = acking<ReadableLogRecord, OTLPLogExporter>(
      new OTLPLogExporter({ url: `${otelUrl}/v1/logs` }),
      (items) => ack("logs", items.map((r) => String(r.body))),
    );
    this.#logs = new LoggerProvider({
      resource,
      processors: [new BatchLogRecordProcessor({ exporter: logExporter as never, scheduledDelayMillis: 200 })],
    });
    const spanExporter = acking<ReadableSpan, OTLPTraceExporter>(
      new OTLPTraceExporter({ url: `${otelUrl}/v1/traces` }),
      (items) => ack("traces", items.map((s) => s.spanContext().spanId)),
    );
    this.#traces = new TracerProvider({
      resource,
      spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter as never, scheduledDelayMillis: 200 })],
    });
    const metricExporter = acking<ResourceMetrics, OTLPMetricExporter>(
      new OTLPMetricExporter({ url: `${otelUrl}/v1/metrics` }),
      (items) => ack("metrics", items.flatMap(metricKeys)),
    );
    this.#metrics = new MeterProvider({
      resource,
      readers: [new PeriodicExportingMetricReader({ exporter: metricExporter as never, exportIntervalMillis: 500 })],
    });
    this.#client = new Anthropic({ apiKey: "sk-ant-fleet-test", baseURL: proxyUrl, maxRetries: 0, timeout: 10_000 });
  }

  /** Starts sending: 50 log records, 30 spans, a metric point and 2 proxied requests a second. */
  start(): void {
    const logger = this.#logs.getLogger("fleet");
    const tracer = this.#traces.getTracer("fleet");
    const counter = this.#metrics.getMeter("fleet").createCounter("fleet.ticks");
    this.#timers.push(setInterval(() => {
      for (let i = 0; i < 5; i++) {
        logger.emit({ body: `${this.#id}-log-${this.#seq++}`, attributes: { gateway: this.#id } });
      }
      for (let i = 0; i < 3; i++) tracer.startSpan(`${this.#id}-span`, { attributes: { n: this.#seq++ } }).end();
      counter.add(1, { gateway: this.#id });
    }, 100));
    this.#timers.push(setInterval(() => this.#request(), 500));
  }

  /** Stops sending and waits for what is in flight (exports that cannot finish give up within their timeout). */
  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await Promise.allSettled([...this.#inFlight]);
    await Promise.allSettled([this.#logs.shutdown(), this.#traces.shutdown(), this.#metrics.shutdown()]);
  }

  #request(): void {
    const key = `${this.#id}-req-${this.#seq++}`;
    const params = { model: "claude-fake", max_tokens: 64, messages: [{ role: "user" as const, content: key }] };
    const options = { headers: { "x-test-seq": key } };
    const work =
      (this.#seq % 2 === 0
        ? this.#client.messages.create(params, options)
        : this.#client.messages.stream(params, options).finalMessage())
        .then(() => this.acked.proxy.set(key, Date.now()), () => this.failures++);
    this.#inFlight.add(work);
    work.finally(() => this.#inFlight.delete(work));
  }
}

/** The keys of a metrics export: one per data point, as {@linkcode rowKey} makes them from rows. */
function metricKeys(resourceMetrics: ResourceMetrics): string[] {
  return resourceMetrics.scopeMetrics.flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      (metric.dataPoints as { attributes: unknown; endTime: [number, number] }[]).map((point) =>
        `${metric.descriptor.name}|${JSON.stringify(point.attributes)}|${iso(point.endTime)}`
      )
    )
  );
}
