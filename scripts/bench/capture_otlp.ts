/**
 * Captures the OTLP request bodies the benchmarks feed the receiver, from the real OpenTelemetry JS exporters
 * (`@opentelemetry/exporter-{trace,logs,metrics}-otlp-{http,proto}`, the versions in deno.json): the SDK makes
 * Claude Code-like telemetry once (512 spans, 512 log records, 512 metric data points), each exporter sends the same
 * items to a capturing `node:http` receiver, and the bodies are written as they came over the wire to
 * `tests/fixtures/otlp/<signal>.{json,pb}`. The JSON and protobuf bodies of a signal carry the same items, so they
 * must give the same rows (tests/server/otlp/captured_test.ts checks it).
 *
 * Regenerate with `deno run --allow-all scripts/bench/capture_otlp.ts` (ids and times change; the rows' shapes do
 * not), then commit the fixtures.
 *
 * @module
 */
import { createServer, type IncomingMessage } from "node:http";
import { mkdir, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import path from "node:path";
import process from "node:process";
import { context, SeverityNumber, SpanKind, SpanStatusCode, trace, ValueType } from "@opentelemetry/api";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { AggregationTemporality, MeterProvider, MetricReader, type ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";

/** Where the bodies go. */
export const FIXTURES = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  "..",
  "..",
  "tests/fixtures/otlp",
);

/** Items per request: the batch span and log processors' default `maxExportBatchSize`. */
const BATCH = 512;

const RESOURCE = resourceFromAttributes({
  "service.name": "claude-code",
  "service.version": "2.1.200",
  "os.type": "linux",
  "host.arch": "amd64",
});

/** What every exporter is handed: `export(items, done)`, as the SDK's processors and readers call it. */
interface Exporter<Items> {
  export(items: Items, done: (result: { code: number; error?: Error }) => void): void;
  shutdown(): Promise<void>;
}

/** A receiver that keeps the last body posted to each path and content type, and answers 200. */
async function captureServer() {
  const bodies = new Map<string, Uint8Array>();
  const server = createServer(async (request: IncomingMessage, response) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of request) chunks.push(chunk as Uint8Array);
    const type = request.headers["content-type"] ?? "";
    if (request.headers["content-encoding"]) throw new Error("Cannot capture: the exporter compressed its body");
    bodies.set(`${request.url} ${type}`, Buffer.concat(chunks));
    response.writeHead(200, { "content-type": type });
    response.end(type === "application/json" ? "{}" : "");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, bodies, close: () => new Promise((r) => server.close(r)) };
}

/** Sends `items` through `exporter` once; throws when the export failed. */
async function send<Items>(exporter: Exporter<Items>, items: Items): Promise<void> {
  const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export(items, resolve));
  await exporter.shutdown();
  if (result.code !== 0) throw new Error(`Cannot capture: the export failed: ${result.error?.message}`);
}

/** An exporter that keeps what it is handed. */
function collecting<Item>(into: Item[]) {
  return {
    export(items: Item[], done: (result: { code: number }) => void) {
      into.push(...items);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
    forceFlush: () => Promise.resolve(),
  };
}

const uuid = (i: number) => `${(0x1f2e3d4c + i).toString(16)}-5b6a-4789-8abc-${String(i).padStart(12, "0")}`;
const MODELS = ["claude-sonnet-4-5", "claude-opus-4-1", "claude-haiku-4-5"];
const TOOLS = ["Bash", "Read", "Edit", "Grep", "Write", "WebFetch"];

/** Claude Code's traces (beta): an interaction, its LLM requests with a first-token event, and tool calls. */
async function makeSpans(): Promise<ReadableSpan[]> {
  const spans: ReadableSpan[] = [];
  let started = 0;
  const provider = new TracerProvider({
    resource: RESOURCE,
    spanProcessors: [new SimpleSpanProcessor({ exporter: collecting(spans) })],
  });
  const tracer = provider.getTracer("com.anthropic.claude_code.tracing", "2.1.200");
  for (let i = 0; started < BATCH; i++) {
    const session = uuid(i >> 3);
    started++;
    const interaction = tracer.startSpan("claude_code.interaction", {
      kind: SpanKind.INTERNAL,
      attributes: { "session.id": session, "user_prompt_length": 120 + i, "interaction.sequence": i },
    });
    const parent = trace.setSpan(context.active(), interaction);
    for (let j = 0; j < 3 && started < BATCH; j++) {
      started++;
      const llm = tracer.startSpan("claude_code.llm_request", {
        kind: SpanKind.CLIENT,
        attributes: {
          "session.id": session,
          "gen_ai.system": "anthropic",
          "gen_ai.request.model": MODELS[(i + j) % 3],
          "gen_ai.response.id": `msg_01XFDUDYJgAACzvnptvVoY${i}${j}`,
          input_tokens: 1200 + i * 7 + j,
          output_tokens: 340 + j,
          cache_read_tokens: 20_000 + i,
          cache_creation_tokens: j === 0 ? 1500 : 0,
          ttft_ms: 812 + j,
          request_id: `req_011CSomething${i}x${j}`,
          stop_reason: j === 2 ? "end_turn" : "tool_use",
          attempt: 1,
          "cost_usd": 0.0123 + j / 1000,
          success: true,
        },
      }, parent);
      llm.addEvent("first_token", { tokens: 1, "ttft_ms": 812 + j });
      llm.addEvent("stream_end", { "output_tokens": 340 + j, "stop_reason": j === 2 ? "end_turn" : "tool_use" });
      if ((i + j) % 17 === 0) llm.setStatus({ code: SpanStatusCode.ERROR, message: "overloaded_error" });
      llm.end();
      if (j < 2 && started < BATCH) {
        started++;
        const tool = tracer.startSpan("claude_code.tool", {
          kind: SpanKind.INTERNAL,
          attributes: {
            "session.id": session,
            tool_name: TOOLS[(i + j) % TOOLS.length],
            tool_use_id: `toolu_01A09q90qw90lq917835l${i}${j}`,
            duration_ms: 87 + i,
            success: (i + j) % 11 !== 0,
            decision: "accept",
            "tool_input_size_bytes": 42 + j,
          },
        }, parent);
        tool.end();
      }
    }
    interaction.end();
  }
  await provider.forceFlush();
  if (spans.length !== BATCH) throw new Error(`Cannot capture: ${spans.length} spans made, expected ${BATCH}`);
  return spans;
}

/** Claude Code's events: api_request, tool_result, user_prompt, as log records. */
async function makeLogRecords(): Promise<ReadableLogRecord[]> {
  const records: ReadableLogRecord[] = [];
  const provider = new LoggerProvider({
    resource: RESOURCE,
    processors: [
      new SimpleLogRecordProcessor({ exporter: collecting(records) }),
    ],
  });
  const logger = provider.getLogger("com.anthropic.claude_code.events", "2.1.200");
  for (let i = 0; i < BATCH; i++) {
    const common = {
      "session.id": uuid(i >> 3),
      "prompt.id": uuid(1000 + (i >> 1)),
      "app.version": "2.1.200",
      "organization.id": "org-123",
      "user.account_uuid": "acct-uuid",
      "terminal.type": "vscode",
      "event.timestamp": new Date(Date.UTC(2026, 3, 22, 19, 38, 39) + i * 1000).toISOString(),
      "event.sequence": i,
    };
    if (i % 3 === 0) {
      logger.emit({
        eventName: "claude_code.api_request",
        body: "claude_code.api_request",
        severityNumber: SeverityNumber.INFO,
        attributes: {
          ...common,
          "event.name": "api_request",
          model: MODELS[i % 3],
          cost_usd: 0.012345 + i / 1e6,
          duration_ms: 5321 + i,
          input_tokens: 1200 + i,
          output_tokens: 340,
          cache_read_tokens: 20000,
          cache_creation_tokens: 0,
          request_id: `req_011CSomething${i}`,
          speed: "normal",
        },
      });
    } else if (i % 3 === 1) {
      logger.emit({
        eventName: "claude_code.tool_result",
        body: "claude_code.tool_result",
        attributes: {
          ...common,
          "event.name": "tool_result",
          tool_name: TOOLS[i % TOOLS.length],
          success: "true",
          duration_ms: 87,
          decision_type: "accept",
          decision_source: "config",
          tool_result_size_bytes: 1024 + i,
        },
      });
    } else {
      logger.emit({
        eventName: "claude_code.user_prompt",
        body: "claude_code.user_prompt",
        attributes: { ...common, "event.name": "user_prompt", prompt_length: 80 + i, prompt: "<REDACTED>" },
      });
    }
  }
  await provider.forceFlush();
  if (records.length !== BATCH) throw new Error(`Cannot capture: ${records.length} records made, expected ${BATCH}`);
  return records;
}

/** Collects on demand: the metrics of one export interval. */
class CollectingReader extends MetricReader {
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** Claude Code's metrics for 64 sessions (its delta counters, by type and model), plus a latency histogram. */
async function makeMetrics(): Promise<ResourceMetrics> {
  const reader = new CollectingReader({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  const provider = new MeterProvider({ resource: RESOURCE, readers: [reader] });
  const meter = provider.getMeter("com.anthropic.claude_code", "2.1.200");
  const tokens = meter.createCounter("claude_code.token.usage", { unit: "tokens", valueType: ValueType.INT });
  const cost = meter.createCounter("claude_code.cost.usage", { unit: "USD", description: "Cost of the session" });
  const lines = meter.createCounter("claude_code.lines_of_code.count", { valueType: ValueType.INT });
  const active = meter.createCounter("claude_code.active_time.total", { unit: "s" });
  const latency = meter.createHistogram("claude_code.api_request.duration", { unit: "ms" });
  for (let s = 0; s < 64; s++) {
    const session = { "session.id": uuid(s), "user.account_uuid": "acct-uuid", "terminal.type": "vscode" };
    for (const type of ["input", "output", "cacheRead", "cacheCreation"]) {
      tokens.add(1000 + s, { ...session, type, model: MODELS[s % 3] });
    }
    cost.add(0.01 + s / 1000, { ...session, model: MODELS[s % 3] });
    lines.add(10 + s, { ...session, type: "added" });
    active.add(3.5 + s, { ...session, type: "cli" });
    latency.record(800 + s * 10, { ...session, model: MODELS[s % 3] });
  }
  const { resourceMetrics, errors } = await reader.collect();
  if (errors.length > 0) throw errors[0];
  await provider.shutdown();
  return resourceMetrics;
}

async function main(): Promise<void> {
  const server = await captureServer();
  try {
    const spans = await makeSpans();
    const records = await makeLogRecords();
    const metrics = await makeMetrics();
    const url = (signal: string) => ({ url: `${server.url}/v1/${signal}` });
    await send<ReadableSpan[]>(new JsonTraceExporter(url("traces")), spans);
    await send<ReadableSpan[]>(new ProtoTraceExporter(url("traces")), spans);
    await send<ReadableLogRecord[]>(new JsonLogExporter(url("logs")), records);
    await send<ReadableLogRecord[]>(new ProtoLogExporter(url("logs")), records);
    await send<ResourceMetrics>(new JsonMetricExporter(url("metrics")), metrics);
    await send<ResourceMetrics>(new ProtoMetricExporter(url("metrics")), metrics);
  } finally {
    await server.close();
  }
  await mkdir(FIXTURES, { recursive: true });
  for (const [key, body] of server.bodies) {
    const [urlPath, type] = key.split(" ");
    const file = `${urlPath.slice("/v1/".length)}.${type === "application/json" ? "json" : "pb"}`;
    await writeFile(path.join(FIXTURES, file), body);
    console.log(`${file}: ${body.byteLength} bytes`);
  }
}

if (import.meta.main) {
  await main();
  process.exit(0);
}
