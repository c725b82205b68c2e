/**
 * The recordings the `ctvs ui` browser test shows: one Claude Code turn and one Codex turn through a real `ctvs`
 * proxy (`conversations_record.ts`), a turn with a picture sent by the Anthropic SDK and one by the OpenAI SDK
 * (Responses) and a 60-turn conversation by the Anthropic SDK through the same proxy, and a trace with its logs and a few metric points sent by the real OpenTelemetry
 * SDK and exporters to a real `ctvs`, all into one sink as gateway `e2e`.
 *
 * @module
 */
import { context, SeverityNumber, SpanStatusCode, trace } from "@opentelemetry/api";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { MeterProvider, PeriodicExportingMetricReader } from "@opentelemetry/sdk-metrics";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import Anthropic from "@anthropic-ai/sdk";
import { readFile } from "node:fs/promises";
import path from "node:path";
import OpenAI from "openai";
import { ROOT } from "../helpers/child.ts";
import { recordAgents } from "./conversations_record.ts";
import { startOtlpCtvs } from "./otlp_ctvs.ts";

/** The spans of the known trace: name, parent, start and end in ms after the trace's start, and whether it failed. */
export const KNOWN_SPANS = [
  { name: "checkout", parent: null, start: 0, end: 400, failed: false },
  { name: "db.query", parent: "checkout", start: 50, end: 150, failed: false },
  // Narrow: its duration label goes beside the bar.
  { name: "cache.get", parent: "db.query", start: 60, end: 64, failed: false },
  { name: "render", parent: "checkout", start: 200, end: 400, failed: false },
  { name: "llm.call", parent: "render", start: 250, end: 350, failed: true },
] as const;

/** The picture the SDK turns send (48 × 32 PNG). */
export const PICTURE = { file: path.join(ROOT, "tests", "fixtures", "images", "checker.png"), width: 48, height: 32 };

/** The prompts sent with the picture, by the Anthropic SDK and by the OpenAI SDK (Responses). */
export const PICTURE_PROMPTS = { anthropic: "What is in this picture?", openai: "Describe this picture." };

/** The long conversation: its turns, each prompt `Step <i> of the long conversation.`, and the last one's marker. */
export const LONG = { turns: 60, model: "claude-sonnet-5-5", step: "of the long conversation", needle: "needle-7f3a" };

/**
 * One turn with the picture through each SDK, then a conversation of {@link LONG}`.turns` turns through the
 * Anthropic SDK (each request sending the history, as a client does), to the proxy at `url`.
 */
async function sdkTurns(url: string): Promise<void> {
  const data = (await readFile(PICTURE.file)).toString("base64");
  const anthropic = new Anthropic({ apiKey: "sk-ant-e2e-image", baseURL: url, maxRetries: 0 });
  await anthropic.messages.create({
    model: "claude-opus-4-8",
    max_tokens: 256,
    messages: [{
      role: "user",
      content: [
        { type: "image", source: { type: "base64", media_type: "image/png", data } },
        { type: "text", text: PICTURE_PROMPTS.anthropic },
      ],
    }],
  });
  const openai = new OpenAI({ apiKey: "sk-e2e-image", baseURL: `${url}/v1`, maxRetries: 0 });
  await openai.responses.create({
    model: "gpt-fake",
    input: [{
      role: "user",
      content: [
        { type: "input_text", text: PICTURE_PROMPTS.openai },
        { type: "input_image", image_url: `data:image/png;base64,${data}`, detail: "auto" },
      ],
    }],
  });
  const history: Anthropic.MessageParam[] = [];
  for (let i = 0; i < LONG.turns; i++) {
    const last = i === LONG.turns - 1 ? ` The ${LONG.needle} is here.` : "";
    history.push({ role: "user", content: `Step ${i} ${LONG.step}.${last}` });
    const answer = await anthropic.messages.create(
      { model: LONG.model, max_tokens: 256, messages: history },
      { headers: { "x-fake-scenario": "echo" } },
    );
    history.push({ role: "assistant", content: answer.content.filter((b) => b.type === "text") });
  }
}

/** What was recorded, and where. */
export interface UiRecording {
  /** A config whose sink holds everything. */
  config: string;
  traceId: string;
  /** The log line sent inside `llm.call`. */
  logBody: string;
}

/** Records the agents' turns, a picture sent by each SDK, and the telemetry under `dir`. */
export async function recordForUi(dir: string): Promise<UiRecording> {
  const config = await recordAgents(dir, sdkTurns);
  const otlp = await startOtlpCtvs({ sinkDir: path.join(dir, "data") });
  try {
    const resource = resourceFromAttributes({ "service.name": "shop", "service.version": "1.0.0" });
    const tracer = new TracerProvider({
      resource,
      spanProcessors: [
        new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${otlp.url}/v1/traces` }) as never }),
      ],
    });
    const logs = new LoggerProvider({
      resource,
      processors: [
        new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${otlp.url}/v1/logs` }) as never }),
      ],
    });
    const reader = new PeriodicExportingMetricReader({
      exporter: new OTLPMetricExporter({ url: `${otlp.url}/v1/metrics` }) as never,
      exportIntervalMillis: 3_600_000,
    });
    const meters = new MeterProvider({ resource, readers: [reader] });

    // The trace: explicit times, so the waterfall's bars have known widths.
    const t0 = Date.now() - 60_000;
    const spans = new Map<string, ReturnType<ReturnType<TracerProvider["getTracer"]>["startSpan"]>>();
    const tracerOf = tracer.getTracer("ui-e2e", "1.0.0");
    for (const s of KNOWN_SPANS) {
      const parent = s.parent ? trace.setSpan(context.active(), spans.get(s.parent)!) : context.active();
      spans.set(s.name, tracerOf.startSpan(s.name, { startTime: t0 + s.start, attributes: { step: s.name } }, parent));
    }
    const logBody = "model call failed: overloaded";
    logs.getLogger("ui-e2e").emit({
      context: trace.setSpan(context.active(), spans.get("llm.call")!),
      severityNumber: SeverityNumber.ERROR,
      severityText: "ERROR",
      body: logBody,
      attributes: { "event.name": "llm_error" },
    });
    logs.getLogger("ui-e2e").emit({ severityNumber: SeverityNumber.INFO, severityText: "INFO", body: "shop started" });
    for (const s of [...KNOWN_SPANS].reverse()) {
      const span = spans.get(s.name)!;
      if (s.failed) span.setStatus({ code: SpanStatusCode.ERROR, message: "overloaded" });
      span.end(t0 + s.end);
    }
    const traceId = spans.get("checkout")!.spanContext().traceId;

    // Metrics: a counter over three collections (three points of one series per attribute set).
    const orders = meters.getMeter("ui-e2e").createCounter("shop.orders", { unit: "{order}" });
    for (const n of [3, 5, 8]) {
      orders.add(n, { region: "eu" });
      orders.add(1, { region: "us" });
      await reader.forceFlush();
      await new Promise((done) => setTimeout(done, 20));
    }
    await Promise.all([tracer.forceFlush(), logs.forceFlush()]);
    await Promise.all([tracer.shutdown(), logs.shutdown(), meters.shutdown()]);
    return { config, traceId, logBody };
  } finally {
    await otlp.stop();
  }
}
