import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { test } from "node:test";
import { MessageWalker } from "../../../query/proxy_messages/walker.ts";
import { anthropicEvents, eventRows, exchangeRow, type Row } from "./_fixtures.ts";

const SESSION = "5e55e55e-0000-4000-8000-000000000001";
const metadata = { user_id: JSON.stringify({ device_id: "d", account_uuid: "acct-1", session_id: SESSION }) };
const tools = [{ name: "Bash", input_schema: { type: "object" } }];
const first = { role: "user", content: [{ type: "text", text: "list files", cache_control: { type: "ephemeral" } }] };
const toolUse = { type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } };

const sha16 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

function pick(rows: Row[], keys: string[]): unknown[][] {
  return rows.map((r) => keys.map((k) => r[k]));
}

const KEYS = [
  "message_index",
  "role",
  "part_index",
  "part_type",
  "content_text",
  "tool_name",
  "tool_call_id",
  "tool_args",
  "thinking_signature",
  "status",
];

test("proxy_messages: a JSON answer becomes one row per part, with the reference's columns", () => {
  const walker = new MessageWalker();
  const body = {
    model: "claude-sonnet-4-5",
    max_tokens: 1024,
    system: [{ type: "text", text: "You are terse." }, { type: "text", text: "Be kind." }],
    tools,
    metadata,
    messages: [first],
  };
  const response = {
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [
      { type: "thinking", thinking: "Use ls.", signature: "sig1" },
      { type: "text", text: "Listing." },
      toolUse,
    ],
    stop_reason: "tool_use",
    usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 50 },
  };
  const rows = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", { body, response, cwd: "/repo", git_branch: "main" }),
    events: [],
  });
  assert.deepEqual(pick(rows, KEYS), [
    [0, "user", 0, "text", "list files", null, null, null, null, null],
    [1, "assistant", 0, "reasoning", "Use ls.", null, null, null, "sig1", null],
    [1, "assistant", 1, "text", "Listing.", null, null, null, null, null],
    [1, "assistant", 2, "tool_call", null, "Bash", "toolu_1", { command: "ls" }, null, { finish_reason: "tool_use" }],
  ]);
  const r = rows[3];
  assert.deepEqual(
    [r.schema_version, r.conversation_id, r.user_id, r.provider, r.model, r.system_text, r.conversation_source],
    [2, SESSION, "acct-1", "anthropic", "claude-sonnet-4-5", "You are terse.\n\nBe kind.", "claude_code"],
  );
  assert.deepEqual([r.cwd, r.git_branch, r.conversation_started_at, r.message_created_at], [
    "/repo",
    "main",
    "2025-03-01T10:00:00.000Z",
    "2025-03-01T10:00:00.000Z",
  ]);
  assert.equal(r.part_id, `${r.message_id}#2`);
  assert.equal(r.previous_message_id, rows[0].message_id);
  assert.equal(rows[0].previous_message_id, null);
  assert.deepEqual(r.tools, tools);
  assert.deepEqual(r.attributes, {
    request: { max_tokens: 1024 },
    provider_raw: { metadata },
    timing: { latency_ms: 1500 },
    client: { claude_version: "2.1.197" },
    usage: { input_tokens: 10, output_tokens: 50, cache_read_tokens: 1000, cache_write_tokens: 100 },
  });
  assert.equal((rows[0].attributes as Row).usage, undefined);
});

test("proxy_messages: SSE is rebuilt (cumulative usage counted once); the next request adds only its new messages", () => {
  const walker = new MessageWalker();
  const events = anthropicEvents({
    id: "msg_1",
    model: "claude-sonnet-4-5",
    blocks: [{ type: "thinking", thinking: "Use ls.", signature: "sig1" }, toolUse],
    stop: "tool_use",
    usage: { input_tokens: 10, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1 },
    deltas: [{ output_tokens: 20 }, { output_tokens: 35 }],
  });
  const one = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", {
      body: { model: "m", metadata, messages: [first], stream: true },
    }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(pick(one, KEYS).map((r) => r.slice(0, 8)), [
    [0, "user", 0, "text", "list files", null, null, null],
    [1, "assistant", 0, "reasoning", "Use ls.", null, null, null],
    [1, "assistant", 1, "tool_call", null, "Bash", "toolu_1", { command: "ls" }],
  ]);
  assert.deepEqual((one[2].attributes as Row).usage, {
    input_tokens: 10,
    output_tokens: 35,
    cache_read_tokens: 0,
    cache_write_tokens: 0,
  });
  // The client sends the history back (cache_control moved off the first message) plus the tool result.
  const history = [
    { role: "user", content: [{ type: "text", text: "list files" }] },
    { role: "assistant", content: [{ type: "thinking", thinking: "Use ls.", signature: "sig1" }, toolUse] },
    {
      role: "user",
      content: [{
        type: "tool_result",
        tool_use_id: "toolu_1",
        content: [{ type: "text", text: "a.txt" }, { type: "text", text: "b.txt" }],
        is_error: false,
      }],
    },
  ];
  const two = walker.exchange({
    exchange: exchangeRow("e2", "2025-03-01T10:00:05.000Z", {
      body: { model: "m", metadata, messages: history },
      response: { role: "assistant", content: "Two files.", stop_reason: "end_turn" },
    }),
    events: [],
  });
  assert.deepEqual(pick(two, KEYS), [
    [2, "user", 0, "tool_result", "a.txt\nb.txt", "Bash", "toolu_1", null, null, { tool_status: "success" }],
    [3, "assistant", 0, "text", "Two files.", null, null, null, null, { finish_reason: "stop" }],
  ]);
  assert.equal(two[0].previous_message_id, one[1].message_id);
  assert.equal(two[1].previous_message_id, two[0].message_id);
  assert.equal(two[0].conversation_started_at, "2025-03-01T10:00:00.000Z");
  assert.equal(two[0].message_created_at, "2025-03-01T10:00:05.000Z");
  // The same request retried: no new messages.
  assert.deepEqual(
    walker.exchange({
      exchange: exchangeRow("e3", "2025-03-01T10:00:09.000Z", {
        body: { model: "m", metadata, messages: history },
        response: { role: "assistant", content: "Two files.", stop_reason: "end_turn" },
      }),
      events: [],
    }),
    [],
  );
});

test("proxy_messages: an interrupted stream ends in finish_reason error; no message_start gives history only", () => {
  const walker = new MessageWalker();
  const events = anthropicEvents({
    id: "m",
    model: "m",
    blocks: [{ type: "text", text: "Partial" }],
    stop: null,
    usage: { input_tokens: 3, output_tokens: 1 },
  });
  const rows = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", {
      body: { messages: [{ role: "user", content: "go" }] },
      error: "client_aborted",
    }),
    events: eventRows("e1", events),
  });
  assert.deepEqual(pick(rows, ["role", "part_type", "content_text", "status"]), [
    ["user", "text", "go", null],
    ["assistant", "text", "Partial", { finish_reason: "error" }],
  ]);
  // No session id: the conversation id hashes the first message's raw content (a JSON string literal here).
  assert.equal(rows[0].conversation_id, sha16('"go"'));
  assert.equal(rows[0].message_id, sha16(`${sha16('"go"')}:user:[{"text":"go","type":"text"}]`));
  const none = walker.exchange({
    exchange: exchangeRow("e2", "2025-03-01T10:01:00.000Z", {
      body: { messages: [{ role: "user", content: "again" }] },
    }),
    events: eventRows("e2", [{ type: "ping" }]),
  });
  assert.deepEqual(pick(none, ["role", "content_text"]), [["user", "again"]]);
});

test("proxy_messages: block types, error blocks, stop reasons and the conversation id tiers", () => {
  const walker = new MessageWalker();
  const content = [
    { type: "redacted_thinking", data: "opaque", signature: "s2" },
    { type: "server_tool_use", id: "srv_1", name: "web_search", input: { query: "q" } },
    { type: "web_search_tool_result", tool_use_id: "srv_1", content: [] },
    { type: "image", source: {} },
    { type: "document", source: {} },
    { type: "error", error_code: "E1", message: "bad" },
    { type: "citations_thing" },
    { text: "no type" },
  ];
  const rows = walker.exchange({
    exchange: exchangeRow("e1", "2025-03-01T10:00:00.000Z", {
      body: { messages: [{ role: "user", content: "hello" }] },
      response: { role: "assistant", content, stop_reason: "max_tokens" },
      user_agent: "my-app/1.0",
    }),
    events: [],
  });
  assert.deepEqual(
    pick(rows.slice(1), ["part_type", "content_text", "tool_name", "tool_call_id", "thinking_signature", "status"]),
    [
      ["reasoning", "opaque", null, null, "s2", null],
      ["tool_call", null, "web_search", "srv_1", null, null],
      ["tool_result", null, "web_search", "srv_1", null, null],
      ["image", null, null, null, null, null],
      ["file", null, null, null, null, null],
      ["error", "bad", null, null, null, { error_code: "E1", error_message: "bad" }],
      ["citations_thing", null, null, null, null, null],
      ["text", "no type", null, null, null, { finish_reason: "length" }],
    ],
  );
  // Tier 2: sha256 of the canonical JSON of messages[0].content (a string hashes as its JSON literal).
  assert.equal(rows[0].conversation_id, sha16('"hello"'));
  assert.equal(rows[0].conversation_source, "api");
});
