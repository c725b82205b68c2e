import assert from "node:assert/strict";
import { test } from "node:test";
import { CodexNormalizer } from "../../../query/transcript_rows/mod.ts";
import { CODEX_FILE, type Line, lines, normalize } from "./_recorded.ts";

const recorded = lines(CODEX_FILE);
const meta = recorded.find((l) => l.type === "session_meta")!.payload;
const short = (t: string | null) => t === null ? null : t.split("\n")[0].slice(0, 44);

test("CodexNormalizer() makes one message per rollout item of the recorded session, one row per part", () => {
  const { parts } = normalize(new CodexNormalizer(), recorded);
  const rows = parts.filter((p) => p.role !== "developer")
    .map((p) => [p.role, p.part_type, p.tool_name, p.role === "tool" ? null : short(p.content_text), p.model]);
  assert.deepEqual(rows, [
    ["user", "text", null, "<environment_context>", null],
    ["user", "text", null, "run the marker command", "gpt-5"],
    ["assistant", "tool_call", "exec_command", null, "gpt-5"],
    ["tool", "tool_result", "exec_command", null, "gpt-5"],
    ["assistant", "text", null, "The command printed ctvs-e2e. Done — ✓.", "gpt-5"],
    ["user", "text", null, "explain, then run the marker command twice", "gpt-5"],
    ["assistant", "reasoning", null, "Two runs of the marker command.", "gpt-5"],
    ["assistant", "text", null, "I will run the marker command twice.", "gpt-5"],
    ["assistant", "tool_call", "exec_command", null, "gpt-5"],
    ["assistant", "tool_call", "exec_command", null, "gpt-5"],
    ["tool", "tool_result", "exec_command", null, "gpt-5"],
    ["tool", "tool_result", "exec_command", null, "gpt-5"],
    ["assistant", "reasoning", null, "Two runs of the marker command.", "gpt-5"],
    ["assistant", "text", null, "The command printed ctvs-e2e. Done — ✓.", "gpt-5"],
  ]);
  const calls = parts.filter((p) => p.part_type === "tool_call");
  const results = parts.filter((p) => p.part_type === "tool_result");
  assert.deepEqual(results.map((r) => r.tool_call_id), calls.map((c) => c.tool_call_id));
  assert.deepEqual(calls[0].tool_args, { cmd: "echo ctvs-e2e" });
  // The command's real output is the result.
  assert.match(results[0].content_text!, /\nctvs-e2e\n?$/);
  // Item ids are the message ids; messages are numbered in file order, each chained to the one before.
  assert.equal(calls[0].message_id, recorded.find((l) => l.payload?.type === "function_call")!.payload.id);
  assert.deepEqual(parts.map((p) => p.message_index), [...parts.keys()].map((i) => parts[i].message_index));
  for (let i = 1; i < parts.length; i++) {
    if (parts[i].message_id !== parts[i - 1].message_id) {
      assert.equal(parts[i].previous_message_id, parts[i - 1].message_id);
    }
  }
  for (const p of parts) {
    assert.equal(p.conversation_id, meta.id);
    assert.equal(p.provider, "openai");
    assert.equal(p.conversation_source, "codex");
    assert.equal(p.cwd, "/tmp/ctvs-transcripts-fixture");
    assert.equal(p.version, meta.cli_version);
    assert.equal(p.conversation_started_at, meta.timestamp);
    assert.equal(p.entry_type, "response_item");
  }
});

test("CodexNormalizer() turns the running token_count totals into each response's usage, keyed by its response id", () => {
  const { usage } = normalize(new CodexNormalizer(), recorded);
  assert.deepEqual(
    usage.map((u) => [u.input_tokens, u.cache_read_tokens, u.output_tokens, u.reasoning_tokens]),
    [[30, 0, 9, 0], [30, 0, 9, 0], [3000, 2000, 40, 10], [3000, 2000, 40, 10]],
  );
  const records = recorded.filter((l) => l.type === "token_usage_record").map((l) => l.payload.response_id);
  assert.deepEqual(usage.map((u) => u.response_id), records);
  assert.deepEqual(usage.map((u) => u.usage_key), records.map((id) => `openai:${id}`));
  // The totals of the last count are the sum of the usage.
  const last = recorded.filter((l) => l.payload?.type === "token_count").at(-1)!.payload.info.total_token_usage;
  assert.equal(usage.reduce((sum, u) => sum + u.input_tokens!, 0), last.input_tokens);
  assert.equal(usage.reduce((sum, u) => sum + u.output_tokens!, 0), last.output_tokens);
});

/** The recording as older Codex wrote it: no token_usage_record lines. */
const older = recorded.filter((l) => l.type !== "token_usage_record");

test("CodexNormalizer() without response ids keys usage by the running totals, and a repeated count adds nothing", () => {
  const counts = older.flatMap((l, i) => l.payload?.type === "token_count" ? [i] : []);
  // Codex repeats a count (a rate-limit update): the same totals again.
  const repeated = [...older.slice(0, counts[1] + 1), older[counts[1]], ...older.slice(counts[1] + 1)];
  const { usage } = normalize(new CodexNormalizer(), repeated);
  assert.deepEqual(usage.map((u) => [u.input_tokens, u.output_tokens]), [[30, 9], [30, 9], [3000, 40], [3000, 40]]);
  assert.deepEqual(usage.map((u) => u.usage_key), [
    `codex:${meta.id}:39:30:9`,
    `codex:${meta.id}:78:60:18`,
    `codex:${meta.id}:3118:3060:58`,
    `codex:${meta.id}:6158:6060:98`,
  ]);
  assert.ok(usage.every((u) => u.response_id === null));
});

test("CodexNormalizer() keys the history a forked rollout copies from its parent as the parent's own usage", () => {
  const parent = normalize(new CodexNormalizer(), older).usage;
  const forkMeta = { ...recorded[0], payload: { ...meta, id: "fork-1", forked_from_id: meta.id } };
  // The fork starts with its own session_meta, then the parent's history, then a turn of its own.
  const lastCount = older.filter((l) => l.payload?.type === "token_count").at(-1)!;
  const total = lastCount.payload.info.total_token_usage;
  const own: Line = {
    ...lastCount,
    payload: {
      ...lastCount.payload,
      info: {
        ...lastCount.payload.info,
        total_token_usage: {
          ...total,
          input_tokens: total.input_tokens + 100,
          total_tokens: total.total_tokens + 105,
          output_tokens: total.output_tokens + 5,
        },
      },
    },
  };
  const fork = normalize(new CodexNormalizer(), [forkMeta, ...older, own]);
  assert.deepEqual(fork.usage.slice(0, parent.length).map((u) => u.usage_key), parent.map((u) => u.usage_key));
  assert.deepEqual(fork.usage.slice(parent.length).map((u) => [u.input_tokens, u.output_tokens]), [[100, 5]]);
  assert.ok(!parent.some((u) => u.usage_key === fork.usage.at(-1)!.usage_key));
  assert.ok(fork.parts.every((p) => p.conversation_id === "fork-1"));
});

test("CodexNormalizer() goes on from a saved state as if it had never stopped", () => {
  const whole = normalize(new CodexNormalizer(), recorded);
  for (const at of [1, 10, 20, recorded.length - 2]) {
    const first = new CodexNormalizer();
    const a = normalize(first, recorded.slice(0, at));
    const b = normalize(new CodexNormalizer(JSON.parse(JSON.stringify(first.state))), recorded.slice(at));
    assert.deepEqual([...a.parts, ...b.parts], whole.parts, `cut at line ${at}`);
    assert.deepEqual([...a.usage, ...b.usage], whole.usage, `cut at line ${at}`);
  }
});

test("CodexNormalizer() gives nothing for UI events and unknown lines", () => {
  const n = new CodexNormalizer();
  const events = recorded.filter((l) => l.type === "event_msg" && l.payload.type !== "token_count");
  assert.ok(events.length > 3);
  for (const line of [...events, { type: "world_state", payload: {} }, { type: "compacted", payload: {} }, null]) {
    assert.equal(n.line(line).recognized, false);
  }
});
