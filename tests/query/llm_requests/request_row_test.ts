import assert from "node:assert/strict";
import { test } from "node:test";
import { requestRow } from "../../../query/llm_requests/request_row.ts";
import { anthropicEvents, eventRows, exchangeRow, type Row } from "../proxy_messages/_fixtures.ts";

const TOKENS = [
  "input_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "output_tokens",
  "reasoning_tokens",
  "total_tokens",
];
const tokens = (r: Row) => TOKENS.map((k) => r[k]);

test("llm_requests: Anthropic SSE usage is cumulative (counted once); cache tokens are added to input; cost", () => {
  const events = anthropicEvents({
    id: "m",
    model: "claude-sonnet-4-5-20250929",
    blocks: [{ type: "text", text: "Hi there" }],
    stop: "end_turn",
    usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 1 },
    deltas: [{ output_tokens: 20 }, { output_tokens: 35 }],
  });
  const row = requestRow({
    exchange: exchangeRow("e1", "2025-10-01T10:00:00.000Z", {
      body: { model: "claude-sonnet-4-5-20250929", messages: [{ role: "user", content: "hi" }], stream: true },
    }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(tokens(row), [1110, 1000, 100, 35, null, 1145]);
  // 10 x $3 + 100 x $3.75 + 1000 x $0.30 + 35 x $15, per million tokens.
  assert.deepEqual([row.cost_usd, row.price_model, row.price_version], [
    0.00123,
    "claude-sonnet-4-5",
    "@pydantic/genai-prices@0.1.8",
  ]);
  assert.deepEqual([
    row.provider,
    row.api,
    row.finish_reason,
    row.ttft_ms,
    row.latency_ms,
    row.stream,
    row.status,
    row.error,
  ], [
    "anthropic",
    "messages",
    "stop",
    120,
    1500,
    true,
    200,
    null,
  ]);
});

test("llm_requests: a stream cut before its final usage gives NULL output and cost, not zeros", () => {
  const events = anthropicEvents({
    id: "m",
    model: "claude-sonnet-4-5",
    blocks: [{ type: "text", text: "Par" }],
    stop: null,
    usage: { input_tokens: 13, output_tokens: 1 },
  });
  const row = requestRow({
    exchange: exchangeRow("e1", "2025-10-01T10:00:00.000Z", {
      body: { model: "claude-sonnet-4-5", messages: [], stream: true },
      error: "client_aborted",
    }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(tokens(row), [13, 0, 0, null, null, null]);
  assert.deepEqual([row.cost_usd, row.price_model, row.error, row.finish_reason], [
    null,
    null,
    "client_aborted",
    "error",
  ]);
});

test("llm_requests: an unpriced model has tokens but a NULL cost", () => {
  const row = requestRow({
    exchange: exchangeRow("e1", "2025-10-01T10:00:00.000Z", {
      body: { model: "claude-fake", messages: [{ role: "user", content: "x" }] },
      response: {
        role: "assistant",
        model: "claude-fake",
        content: [],
        stop_reason: "end_turn",
        usage: { input_tokens: 7, output_tokens: 3 },
      },
    }),
    events: [],
  });
  assert.deepEqual([...tokens(row), row.cost_usd, row.model], [7, 0, 0, 3, null, 10, null, "claude-fake"]);
});

test("llm_requests: OpenAI input includes cached tokens, output includes reasoning; Chat without usage is NULL", () => {
  const usage = {
    input_tokens: 300,
    input_tokens_details: { cached_tokens: 200 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 25 },
  };
  const responses = requestRow({
    exchange: exchangeRow("e1", "2025-10-01T10:00:00.000Z", {
      path: "/v1/responses",
      body: { model: "gpt-5", input: "hi" },
      response: {
        id: "r",
        model: "gpt-5-2025-08-07",
        status: "completed",
        output: [{ type: "message", role: "assistant", content: [] }],
        usage,
      },
      headers: { "session-id": "s1" },
    }),
    events: [],
  });
  assert.deepEqual(tokens(responses), [300, 200, 0, 40, 25, 340]);
  // 100 x $1.25 + 200 x $0.125 + 40 x $10, per million tokens.
  assert.deepEqual([
    responses.cost_usd,
    responses.provider,
    responses.api,
    responses.conversation_id,
    responses.finish_reason,
  ], [
    0.00055,
    "openai",
    "responses",
    "s1",
    "stop",
  ]);
  const chunk = (delta: Row, finish: string | null = null) => ({
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const chat = requestRow({
    exchange: exchangeRow("e2", "2025-10-01T10:00:00.000Z", {
      path: "/v1/chat/completions",
      body: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream: true },
    }),
    events: eventRows("e2", [chunk({ role: "assistant", content: "Hel" }), chunk({ content: "lo" }, "stop"), "[DONE]"]),
  });
  assert.deepEqual([...tokens(chat), chat.cost_usd, chat.finish_reason, chat.ttft_ms], [
    null,
    null,
    null,
    null,
    null,
    null,
    null,
    "stop",
    100,
  ]);
});
