import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import {
  ClaudeCodeNormalizer,
  ignorableLine,
  SYNTHETIC_MODEL,
  transcriptNormalizer,
} from "../../../query/transcript_rows/mod.ts";
import { CLAUDE_FILE, type Line, lines, normalize } from "./_recorded.ts";

const recorded = lines(CLAUDE_FILE);
const session = path.basename(CLAUDE_FILE, ".jsonl");
const short = (t: string | null) => t === null ? null : t.split("\n")[0].slice(0, 44);

test("ClaudeCodeNormalizer() makes one row per content block of the recorded transcript, an answer's lines one message", () => {
  const { parts } = normalize(new ClaudeCodeNormalizer(), recorded);
  assert.deepEqual(
    parts.map((p) => [p.message_index, p.role, p.part_index, p.part_type, p.tool_name, short(p.content_text)]),
    [
      [0, "user", 0, "text", null, "run the marker command"],
      [1, "assistant", 0, "reasoning", null, "Let me think."],
      [1, "assistant", 1, "tool_call", "Bash", null],
      [2, "user", 0, "tool_result", "Bash", "ctvs-e2e"],
      [3, "assistant", 0, "reasoning", null, "Let me think."],
      [3, "assistant", 1, "text", null, "The command printed ctvs-e2e. Done — ✓."],
      [4, "user", 0, "text", null, "explain, then run the marker command twice"],
      [5, "assistant", 0, "reasoning", null, "Let me think."],
      [5, "assistant", 1, "text", null, "I will run the marker command twice."],
      [5, "assistant", 2, "tool_call", "Bash", null],
      [5, "assistant", 3, "tool_call", "Bash", null],
      [6, "user", 0, "tool_result", "Bash", "ctvs-e2e"],
      [7, "user", 0, "tool_result", "Bash", "ctvs-e2e"],
      [8, "assistant", 0, "reasoning", null, "Let me think."],
      [8, "assistant", 1, "text", null, "The command printed ctvs-e2e. Done — ✓."],
    ],
  );
  // The four lines of the second turn's answer: one message, its API id, its request id, four line uuids.
  const answer = parts.filter((p) => p.message_index === 5);
  assert.equal(new Set(answer.map((p) => p.message_id)).size, 1);
  assert.match(answer[0].message_id, /^msg_/);
  assert.deepEqual(answer.map((p) => p.part_id), [0, 1, 2, 3].map((i) => `${answer[0].message_id}#${i}`));
  assert.match(answer[0].request_id!, /^req_/);
  assert.equal(new Set(answer.map((p) => p.request_id)).size, 1);
  assert.equal(new Set(answer.map((p) => p.uuid)).size, 4);
  // Each tool result names the call it answers; the calls carry their input.
  const calls = parts.filter((p) => p.part_type === "tool_call");
  const results = parts.filter((p) => p.part_type === "tool_result");
  assert.deepEqual(results.map((r) => r.tool_call_id), calls.map((c) => c.tool_call_id));
  assert.deepEqual(calls[0].tool_args, { command: "echo ctvs-e2e", description: "Print a marker" });
  assert.deepEqual(results[0].status, { tool_status: "success" });
  assert.equal(parts[1].thinking_signature, "sig-fake");
  // The transcript's own fields, and the columns shared with proxy_messages.
  for (const p of parts) {
    assert.equal(p.conversation_id, session);
    assert.equal(p.session_id, session);
    assert.equal(p.provider, "anthropic");
    assert.equal(p.conversation_source, "claude_code");
    assert.equal(p.cwd, "/tmp/ctvs-transcripts-fixture");
    assert.equal(p.git_branch, "HEAD");
    assert.match(p.version!, /^2\.\d+\.\d+$/);
    assert.equal(p.is_sidechain, false);
    assert.equal(p.conversation_started_at, recorded.find((l) => l.type === "user")!.timestamp);
  }
  assert.equal(parts[0].model, null);
  assert.ok(parts.slice(1).every((p) => p.model === "claude-sonnet-4-5-20250929"));
  assert.equal(parts[2].previous_message_id, parts[0].message_id);
  assert.equal(parts[2].parent_uuid, parts[1].uuid);
  assert.equal(parts[2].attributes.stop_reason, "tool_use");
  assert.equal((parts[2].attributes.usage as Line).output_tokens, 12);
});

test("ClaudeCodeNormalizer() observes an answer's usage once, though each of its lines repeats it", () => {
  const { usage } = normalize(new ClaudeCodeNormalizer(), recorded);
  assert.deepEqual(
    usage.map((u) => [u.input_tokens, u.cache_read_tokens, u.cache_write_tokens, u.output_tokens, u.finish_reason]),
    [[25, 0, 0, 12, "tool_use"], [25, 0, 0, 12, "stop"], [3040, 2000, 1000, 30, "tool_use"], [
      3040,
      2000,
      1000,
      30,
      "stop",
    ]],
  );
  assert.equal(new Set(usage.map((u) => u.usage_key)).size, 4);
  const answers = recorded.filter((l) => l.type === "assistant");
  assert.deepEqual(
    usage.map((u) => u.ts_start),
    [...new Set(answers.map((l) => l.message.id))].map((id) => answers.find((l) => l.message.id === id)!.timestamp),
  );
  for (const u of usage) {
    assert.equal(u.usage_key, `anthropic:${u.response_id}:${u.request_id}`);
    assert.equal(u.model, "claude-sonnet-4-5-20250929");
    assert.equal(u.api, "messages");
  }
});

test("ClaudeCodeNormalizer() observes again an answer whose later line has a larger output count (older Claude Code)", () => {
  // Before 2.1, the lines written while an answer streamed carried message_start's output_tokens (1).
  const id = recorded.find((l) =>
    Array.isArray(l.message?.content) &&
    l.message.content.some((b: Line) => b.type === "text" && /twice/.test(b.text))
  )!.message.id;
  const older = recorded.map((l, i, all) => {
    const lastOfAnswer = l.message?.id === id && all[i + 1]?.message?.id !== id;
    if (l.message?.id !== id || lastOfAnswer) return l;
    return { ...l, message: { ...l.message, stop_reason: null, usage: { ...l.message.usage, output_tokens: 1 } } };
  });
  const usage = normalize(new ClaudeCodeNormalizer(), older).usage.filter((u) => u.response_id === id);
  assert.deepEqual(usage.map((u) => [u.output_tokens, u.finish_reason]), [[1, null], [30, "tool_use"]]);
  assert.equal(usage[0].usage_key, usage[1].usage_key);
  assert.equal(usage[0].ts_start, usage[1].ts_start);
});

test("ClaudeCodeNormalizer() goes on from a saved state in the middle of an answer as if it had never stopped", () => {
  const whole = normalize(new ClaudeCodeNormalizer(), recorded);
  const cut = recorded.findIndex((l) =>
    l.message?.content?.[0]?.type === "tool_use" && /twice/.test(JSON.stringify(l))
  );
  for (const at of [1, 5, cut === -1 ? 10 : cut, recorded.length - 1]) {
    const first = new ClaudeCodeNormalizer();
    const a = normalize(first, recorded.slice(0, at));
    const saved = JSON.parse(JSON.stringify(first.state));
    const b = normalize(new ClaudeCodeNormalizer(saved), recorded.slice(at));
    assert.deepEqual([...a.parts, ...b.parts], whole.parts, `cut at line ${at}`);
    assert.deepEqual([...a.usage, ...b.usage], whole.usage, `cut at line ${at}`);
  }
});

test("ClaudeCodeNormalizer() gives nothing for lines that are not messages, and no usage for Claude Code's own answers", () => {
  const n = new ClaudeCodeNormalizer();
  const others = recorded.filter((l) => l.type !== "user" && l.type !== "assistant");
  assert.ok(others.length >= 3, "the recording has queue, attachment and last-prompt lines");
  for (const line of [...others, null, "text", 42, { type: "user" }]) assert.equal(n.line(line).recognized, false);
  const synthetic = {
    type: "assistant",
    uuid: "u-syn",
    sessionId: "s",
    isApiErrorMessage: true,
    message: {
      id: "msg_syn",
      role: "assistant",
      model: SYNTHETIC_MODEL,
      content: [{ type: "text", text: "No response requested." }],
      usage: { input_tokens: 0, output_tokens: 0 },
    },
  };
  const r = n.line(synthetic, { sourcePath: "/t/s.jsonl", sourceOffset: 123 });
  assert.deepEqual(r.parts.map((p) => [p.content_text, p.model, p.source_path, p.source_offset]), [[
    "No response requested.",
    SYNTHETIC_MODEL,
    "/t/s.jsonl",
    123,
  ]]);
  assert.equal(r.parts[0].attributes.is_api_error_message, true);
  assert.deepEqual(r.usage, []);
});

test("ignorableLine() names only lines the normalizers give nothing for, so a reader may skip parsing them", async () => {
  const { CODEX_FILE } = await import("./_recorded.ts");
  const { readFileSync } = await import("node:fs");
  for (const [source, file] of [["claude_code", CLAUDE_FILE], ["codex", CODEX_FILE]] as const) {
    const texts = readFileSync(file, "utf8").split("\n").filter(Boolean);
    const n = transcriptNormalizer(source);
    let skipped = 0;
    const whole = normalize(transcriptNormalizer(source), texts.map((t) => JSON.parse(t)));
    const rows = { parts: [] as unknown[], usage: [] as unknown[] };
    for (const text of texts) {
      if (ignorableLine(source, text)) {
        skipped++;
        assert.equal(transcriptNormalizer(source).line(JSON.parse(text)).recognized, false, text.slice(0, 80));
        continue;
      }
      const r = n.line(JSON.parse(text));
      rows.parts.push(...r.parts);
      rows.usage.push(...r.usage);
    }
    assert.ok(skipped >= 4, `${source}: ${skipped} lines skipped`);
    assert.deepEqual(rows, { parts: whole.parts, usage: whole.usage });
  }
});
