/**
 * The OpenTelemetry JS trace exporters from npm (`-otlp-proto` and `-otlp-http`) send spans to a running `ctvs`;
 * every field of every row must be what the SDK handed the exporter.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from "@opentelemetry/api";
import { OTLPTraceExporter as HttpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { type ReadableSpan, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { iso, nanos, recording, startOtlpCtvs, written } from "./otlp_ctvs.ts";

/** The row a span must give, built from the SDK's span (the transformer's rules: kind + 1, flags with bit 8 set). */
function expectedRow(span: ReadableSpan) {
  const ctx = span.spanContext();
  const remoteBits = (remote: boolean | undefined) => 0x100 | (remote ? 0x200 : 0);
  return written({
    serviceName: span.resource.attributes["service.name"],
    traceId: ctx.traceId,
    spanId: ctx.spanId,
    parentSpanId: span.parentSpanContext?.spanId,
    name: span.name,
    kind: span.kind + 1,
    traceState: ctx.traceState?.serialize() || undefined,
    startTimestamp: iso(span.startTime),
    endTimestamp: iso(span.endTime),
    durationMs: Number(nanos(span.endTime) - nanos(span.startTime)) / 1e6,
    flags: (ctx.traceFlags & 0xff) | remoteBits(span.parentSpanContext?.isRemote),
    droppedAttributesCount: span.droppedAttributesCount,
    droppedEventsCount: span.droppedEventsCount,
    droppedLinksCount: span.droppedLinksCount,
    status: { code: span.status.code, message: span.status.message || undefined },
    resource: span.resource.attributes,
    scope: { name: span.instrumentationScope.name, version: span.instrumentationScope.version, attributes: {} },
    attributes: span.attributes,
    events: span.events.map((event) => ({
      timestamp: iso(event.time),
      name: event.name,
      droppedAttributesCount: event.droppedAttributesCount ?? 0,
      attributes: event.attributes ?? {},
    })),
    links: span.links.map((link) => ({
      traceId: link.context.traceId,
      spanId: link.context.spanId,
      traceState: link.context.traceState?.serialize() || undefined,
      flags: (link.context.traceFlags & 0xff) | remoteBits(link.context.isRemote),
      droppedAttributesCount: link.droppedAttributesCount ?? 0,
      attributes: link.attributes ?? {},
    })),
  });
}

/** Claude Code's `claude_code.llm_request` span attributes (beta traces), and values of every attribute type. */
const LLM_REQUEST = {
  "gen_ai.system": "anthropic",
  "gen_ai.request.model": "claude-sonnet-4-5",
  "gen_ai.response.id": "msg_01XFDUDYJgAACzvnptvVoYEL",
  "gen_ai.response.finish_reasons": ["end_turn"],
  "session.id": "0f9d7c2e-1111-4222-8333-944455556666",
  request_id: "req_011CSomething",
  ttft_ms: 812,
  input_tokens: 1200,
  output_tokens: 340,
  cache_read_tokens: 20000,
  cache_creation_tokens: 0,
  stop_reason: "end_turn",
  attempt: 1,
  "cost.ratio": 0.125,
  "is.retry": false,
  "ints": [1, 2, 3],
  "doubles": [0.5, 1.5],
  "bools": [true, false],
};

for (const [name, Exporter] of [["proto", ProtoExporter], ["http (JSON)", HttpJsonExporter]] as const) {
  test(`${name} trace exporter: every span arrives as a row equal to what the SDK sent`, async () => {
    const ctvs = await startOtlpCtvs();
    try {
      const { exporter, sent, results } = recording(new Exporter({ url: `${ctvs.url}/v1/traces` }));
      const provider = new TracerProvider({
        resource: resourceFromAttributes({ "service.name": "claude-code", "service.version": "2.1.200" }),
        spanProcessors: [new SimpleSpanProcessor({ exporter: exporter as never })],
      });
      const tracer = provider.getTracer("com.anthropic.claude_code", "2.1.200");
      const remote = trace.setSpanContext(context.active(), {
        traceId: "0af7651916cd43dd8448eb211c80319c",
        spanId: "b7ad6b7169203331",
        traceFlags: TraceFlags.SAMPLED,
        isRemote: true,
      });
      const interaction = tracer.startSpan("claude_code.interaction", { kind: SpanKind.SERVER }, remote);
      const request = tracer.startSpan("claude_code.llm_request", {
        kind: SpanKind.CLIENT,
        attributes: LLM_REQUEST,
        links: [{ context: interaction.spanContext(), attributes: { "link.kind": "follows" } }],
      }, trace.setSpan(context.active(), interaction));
      request.addEvent("first_token", { tokens: 1 });
      request.setStatus({ code: SpanStatusCode.ERROR, message: "overloaded" });
      request.end();
      interaction.end();
      await provider.forceFlush();
      await provider.shutdown();

      assert.deepEqual(results.map((r) => r.code), [0, 0], "both exports succeeded");
      const spans = sent as ReadableSpan[];
      assert.equal(spans.length, 2);
      const rows = await ctvs.rows("traces");
      assert.equal(rows.length, 2);
      for (const span of spans) {
        const row = rows.find((r) => r.spanId === span.spanContext().spanId);
        assert.deepEqual(row, expectedRow(span), span.name);
      }
      assert.equal((await ctvs.rows("raw/traces")).length, 2, "one raw envelope per request");
    } finally {
      assert.equal(await ctvs.stop(), 0);
    }
  });
}
