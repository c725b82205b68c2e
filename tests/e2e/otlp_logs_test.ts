/**
 * The OpenTelemetry JS log exporters from npm (`-otlp-proto` and `-otlp-http`) send Claude Code's and Codex's
 * events, with their real attribute sets, to a running `ctvs`; every field of every row must be what the SDK
 * handed the exporter.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { context, SeverityNumber, trace, TraceFlags } from "@opentelemetry/api";
import { OTLPLogExporter as HttpJsonExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { LoggerProvider, type ReadableLogRecord, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { iso, recording, startOtlpCtvs, written } from "./otlp_ctvs.ts";

/** The row a record must give, built from the SDK's record. */
function expectedRow(record: ReadableLogRecord) {
  return written({
    serviceName: record.resource.attributes["service.name"],
    timestamp: iso(record.hrTime),
    observedTimestamp: iso(record.hrTimeObserved),
    severityNumber: record.severityNumber ?? 0,
    severityText: record.severityText || undefined,
    eventName: record.eventName || undefined,
    body: record.body,
    traceId: record.spanContext?.traceId,
    spanId: record.spanContext?.spanId,
    flags: record.spanContext?.traceFlags ?? 0,
    droppedAttributesCount: record.droppedAttributesCount,
    resource: record.resource.attributes,
    scope: { name: record.instrumentationScope.name, version: record.instrumentationScope.version, attributes: {} },
    attributes: record.attributes,
  });
}

/** Claude Code's `claude_code.api_request` event: standard attributes plus the event's own (anchors §3a). */
const CLAUDE_API_REQUEST = {
  "event.name": "api_request",
  "event.timestamp": "2026-04-22T19:38:39.688Z",
  "event.sequence": 12,
  "session.id": "0f9d7c2e-1111-4222-8333-944455556666",
  "prompt.id": "c1d2e3f4-aaaa-4bbb-8ccc-ddddeeeeffff",
  "app.version": "2.1.200",
  "organization.id": "org-123",
  "user.account_uuid": "acct-uuid",
  "user.id": "anon-user-hash",
  "user.email": "dev@example.com",
  "terminal.type": "vscode",
  model: "claude-sonnet-4-5",
  cost_usd: 0.012345,
  cost_usd_micros: 12345,
  duration_ms: 5321,
  input_tokens: 1200,
  output_tokens: 340,
  cache_read_tokens: 20000,
  cache_creation_tokens: 0,
  request_id: "req_011CSomething",
  client_request_id: "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d",
  speed: "normal",
  query_source: "main",
  effort: "high",
};

/** Claude Code's `claude_code.tool_result` event. */
const CLAUDE_TOOL_RESULT = {
  "event.name": "tool_result",
  "session.id": "0f9d7c2e-1111-4222-8333-944455556666",
  "prompt.id": "c1d2e3f4-aaaa-4bbb-8ccc-ddddeeeeffff",
  tool_name: "Bash",
  tool_use_id: "toolu_01A09q90qw90lq917835lq9",
  success: "true",
  duration_ms: 87,
  decision_type: "accept",
  decision_source: "config",
  tool_input_size_bytes: 42,
  tool_result_size_bytes: 1024,
};

/** Codex's `codex.sse_event` for `response.completed`, with its common fields (anchors §3b). */
const CODEX_SSE_EVENT = {
  "event.name": "codex.sse_event",
  "event.timestamp": "2026-04-22T19:38:40.001Z",
  "event.kind": "response.completed",
  "conversation.id": "01974f6f-2d3a-7f11-9c8e-0a1b2c3d4e5f",
  "app.version": "0.169.0",
  auth_mode: "ApiKey",
  "user.account_id": "acct_1",
  "terminal.type": "xterm-256color",
  model: "gpt-5-codex",
  slug: "gpt-5-codex",
  duration_ms: 4210,
  input_token_count: 5000,
  output_token_count: 800,
  cached_token_count: 4096,
  reasoning_token_count: 512,
  tool_token_count: 0,
};

for (const [name, Exporter] of [["proto", ProtoExporter], ["http (JSON)", HttpJsonExporter]] as const) {
  test(`${name} log exporter: Claude Code's and Codex's events arrive as rows equal to what the SDK sent`, async () => {
    const ctvs = await startOtlpCtvs();
    try {
      const { exporter, sent, results } = recording(new Exporter({ url: `${ctvs.url}/v1/logs` }));
      const claude = new LoggerProvider({
        resource: resourceFromAttributes({
          "service.name": "claude-code",
          "service.version": "2.1.200",
          "os.type": "linux",
        }),
        processors: [new SimpleLogRecordProcessor({ exporter: exporter as never })],
      });
      const codex = new LoggerProvider({
        resource: resourceFromAttributes({ "service.name": "codex_cli_rs", "service.version": "0.169.0", env: "dev" }),
        processors: [new SimpleLogRecordProcessor({ exporter: exporter as never })],
      });
      const events = claude.getLogger("com.anthropic.claude_code.events", "2.1.200");
      events.emit({
        body: "claude_code.api_request",
        attributes: CLAUDE_API_REQUEST,
        severityNumber: SeverityNumber.INFO,
      });
      events.emit({
        body: "claude_code.tool_result",
        attributes: CLAUDE_TOOL_RESULT,
        eventName: "claude_code.tool_result",
      });
      codex.getLogger("codex_otel").emit({ attributes: CODEX_SSE_EVENT });
      const inSpan = trace.setSpanContext(context.active(), {
        traceId: "5b8efff798038103d269b633813fc60c",
        spanId: "eee19b7ec3c1b174",
        traceFlags: TraceFlags.SAMPLED,
      });
      events.emit({
        context: inSpan,
        severityNumber: SeverityNumber.ERROR,
        severityText: "ERROR",
        body: { error: "overloaded", status_code: 529, attempts: [1, 2, 3], retry: { after_ms: 1500.5, ok: false } },
        attributes: { "event.name": "api_error" },
      });
      await claude.forceFlush();
      await codex.forceFlush();
      await claude.shutdown();
      await codex.shutdown();

      assert.deepEqual(results.map((r) => r.code), [0, 0, 0, 0], "every export succeeded");
      const records = sent as ReadableLogRecord[];
      const rows = await ctvs.rows("logs");
      assert.equal(rows.length, 4);
      assert.deepEqual(rows, records.map(expectedRow));
      assert.deepEqual(rows[0].attributes, CLAUDE_API_REQUEST, "Claude Code's attributes come through intact");
      assert.deepEqual(rows[2].attributes, CODEX_SSE_EVENT, "Codex's attributes come through intact");
      assert.equal(rows[2].serviceName, "codex_cli_rs");
    } finally {
      assert.equal(await ctvs.stop(), 0);
    }
  });
}
