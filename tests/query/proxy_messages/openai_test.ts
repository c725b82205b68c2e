import assert from "node:assert/strict";
import { test } from "node:test";
import { MessageWalker } from "../../../query/proxy_messages/walker.ts";
import { eventRows, exchangeRow, type Row } from "./_fixtures.ts";

function pick(rows: Row[], keys: string[]): unknown[][] {
  return rows.map((r) => keys.map((k) => r[k]));
}

const KEYS = ["message_index", "role", "part_type", "content_text", "tool_name", "tool_call_id", "tool_args", "status"];
const CODEX = { user_agent: "codex_exec/0.169.0 (Debian 12)", headers: { "session-id": "sess-codex" } };

test("proxy_messages: Responses API (Codex) items, reasoning, function calls and outputs, from SSE", () => {
  const walker = new MessageWalker();
  const input = [
    { type: "message", role: "developer", content: [{ type: "input_text", text: "be careful" }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "run it" }] },
  ];
  const call = {
    id: "fc_1",
    type: "function_call",
    status: "completed",
    call_id: "call_1",
    name: "exec_command",
    arguments: '{"cmd":"ls"}',
  };
  const reasoning = { id: "rs_1", type: "reasoning", summary: [{ type: "summary_text", text: "Need ls." }] };
  const usage = {
    input_tokens: 300,
    input_tokens_details: { cached_tokens: 200 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 25 },
  };
  let seq = 0;
  const ev = (type: string, data: Row) => ({ type, sequence_number: seq++, ...data });
  const events = [
    ev("response.created", { response: { id: "r1", status: "in_progress", output: [] } }),
    ev("response.output_item.added", { output_index: 0, item: { ...reasoning, summary: [] } }),
    ev("response.reasoning_summary_text.delta", { output_index: 0, summary_index: 0, delta: "Need ls." }),
    ev("response.output_item.done", { output_index: 0, item: reasoning }),
    ev("response.output_item.added", { output_index: 1, item: { ...call, arguments: "" } }),
    ev("response.function_call_arguments.delta", { output_index: 1, delta: '{"cmd"' }),
    ev("response.function_call_arguments.delta", { output_index: 1, delta: ':"ls"}' }),
    ev("response.output_item.done", { output_index: 1, item: call }),
    ev("response.completed", { response: { id: "r1", status: "completed", output: [reasoning, call], usage } }),
  ];
  const body = {
    model: "gpt-5-codex",
    instructions: "You are Codex.",
    input,
    tools: [{ type: "function", name: "exec_command" }],
    stream: true,
    prompt_cache_key: "sess-codex",
  };
  const one = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", { path: "/v1/responses", body, ...CODEX }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(pick(one, KEYS), [
    [0, "developer", "text", "be careful", null, null, null, null],
    [1, "user", "text", "run it", null, null, null, null],
    [2, "assistant", "reasoning", "Need ls.", null, null, null, null],
    [3, "assistant", "tool_call", null, "exec_command", "call_1", { cmd: "ls" }, { finish_reason: "tool_use" }],
  ]);
  assert.deepEqual([one[0].provider, one[0].conversation_id, one[0].system_text, one[0].conversation_source], [
    "openai",
    "sess-codex",
    "You are Codex.",
    "codex",
  ]);
  assert.deepEqual((one[3].attributes as Row).usage, {
    input_tokens: 300,
    output_tokens: 40,
    cache_read_tokens: 200,
    reasoning_tokens: 25,
  });
  // Codex sends the items back (without ids and statuses) plus the output; the answer is a JSON body this time.
  const next = [
    ...input,
    { type: "reasoning", summary: [{ type: "summary_text", text: "Need ls." }], encrypted_content: "xyz" },
    { type: "function_call", call_id: "call_1", name: "exec_command", arguments: '{"cmd":"ls"}' },
    { type: "function_call_output", call_id: "call_1", output: "a.txt" },
  ];
  const answer = {
    id: "r2",
    status: "completed",
    output: [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "One file." }] }],
    usage,
  };
  const two = walker.exchange({
    exchange: exchangeRow("e2", "2025-03-01T10:00:03.000Z", {
      path: "/v1/responses",
      body: { ...body, input: next, stream: false },
      response: answer,
      ...CODEX,
    }),
    events: [],
  });
  assert.deepEqual(pick(two, KEYS), [
    [4, "tool", "tool_result", "a.txt", "exec_command", "call_1", null, null],
    [5, "assistant", "text", "One file.", null, null, null, { finish_reason: "stop" }],
  ]);
  assert.equal(two[0].previous_message_id, one[3].message_id);
});

test("proxy_messages: a Responses stream cut before response.completed keeps what arrived, finish_reason error", () => {
  const rows = new MessageWalker().exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", {
      path: "/v1/responses",
      body: { model: "gpt-5", input: "hi", stream: true },
      error: "client_aborted",
    }),
    events: eventRows("e1", [
      {
        type: "response.output_item.added",
        output_index: 0,
        item: { type: "message", role: "assistant", content: [] },
      },
      { type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "Hel" },
    ]),
  });
  assert.deepEqual(pick(rows, ["role", "part_type", "content_text", "status"]), [
    ["user", "text", "hi", null],
    ["assistant", "text", "Hel", { finish_reason: "error" }],
  ]);
  assert.equal((rows[1].attributes as Row).usage, undefined);
});

test("proxy_messages: Chat Completions messages, streamed tool_calls and tool results", () => {
  const walker = new MessageWalker();
  const messages = [{ role: "system", content: "Be brief." }, {
    role: "user",
    content: [{ type: "text", text: "weather?" }],
  }];
  const chunk = (delta: Row, finish: string | null = null) => ({
    id: "c1",
    object: "chat.completion.chunk",
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  const events = [
    chunk({
      role: "assistant",
      content: null,
      tool_calls: [{ index: 0, id: "call_w", type: "function", function: { name: "get_weather", arguments: "" } }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
    chunk({}, "tool_calls"),
    {
      id: "c1",
      object: "chat.completion.chunk",
      choices: [],
      usage: {
        prompt_tokens: 50,
        completion_tokens: 10,
        total_tokens: 60,
        prompt_tokens_details: { cached_tokens: 0 },
      },
    },
    "[DONE]",
  ];
  const body = { model: "gpt-4o-mini", messages, stream: true, stream_options: { include_usage: true } };
  const one = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", {
      path: "/v1/chat/completions",
      body,
      user_agent: "OpenAI/JS 7.57.0",
    }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(pick(one, KEYS), [
    [0, "system", "text", "Be brief.", null, null, null, null],
    [1, "user", "text", "weather?", null, null, null, null],
    [2, "assistant", "tool_call", null, "get_weather", "call_w", { city: "Oslo" }, { finish_reason: "tool_use" }],
  ]);
  assert.deepEqual([one[0].system_text, one[0].provider, one[0].conversation_source], ["Be brief.", "openai", "api"]);
  const history = [
    ...messages,
    {
      role: "assistant",
      content: null,
      tool_calls: [{ id: "call_w", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }],
    },
    { role: "tool", tool_call_id: "call_w", content: "sunny" },
  ];
  const response = {
    id: "c2",
    object: "chat.completion",
    choices: [{ index: 0, message: { role: "assistant", content: "Sunny in Oslo." }, finish_reason: "stop" }],
    usage: { prompt_tokens: 70, completion_tokens: 5 },
  };
  const two = walker.exchange({
    exchange: exchangeRow("e2", "2025-03-01T10:00:02.000Z", {
      path: "/v1/chat/completions",
      body: { ...body, messages: history, stream: false },
      response,
    }),
    events: [],
  });
  assert.deepEqual(pick(two, KEYS), [
    [3, "tool", "tool_result", "sunny", "get_weather", "call_w", null, null],
    [4, "assistant", "text", "Sunny in Oslo.", null, null, null, { finish_reason: "stop" }],
  ]);
  assert.equal(two[0].conversation_id, one[0].conversation_id);
});
