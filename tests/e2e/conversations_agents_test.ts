import assert from "node:assert/strict";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { recordAgents } from "./conversations_record.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

async function jsonl(args: string[]): Promise<Row[]> {
  const result = await ctvs(["query", ...args, "--format", "jsonl"]);
  assert.equal(result.code, 0, result.stderr);
  return result.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

const short = (text: string | null) => text === null ? null : text.split("\n")[0].slice(0, 40);

test("Claude Code and Codex recorded through ctvs become their conversations, parts, tool calls and results, in order", async () => {
  const tmp = await tempDir();
  try {
    const config = await recordAgents(tmp.dir);
    const stats = await jsonl(["proxy", "stats", "--config", config]);
    assert.deepEqual(stats.map((s) => [s.provider, s.conversations]).sort(), [["anthropic", 1], ["openai", 1]]);
    const conversations = await jsonl([
      "sql",
      "select distinct provider, conversation_id, conversation_source from proxy_messages order by provider",
      "--config",
      config,
    ]);
    const [claude, codex] = conversations.map((c) => c.conversation_id);
    assert.deepEqual(conversations.map((c) => [c.provider, c.conversation_source]), [["anthropic", "claude_code"], [
      "openai",
      "codex",
    ]]);
    // Claude Code's session id (metadata.user_id) is the conversation id.
    assert.match(claude, /^[0-9a-f]{8}-[0-9a-f]{4}-/);

    const cols = (r: Row) => [r.message_index, r.role, r.part_type, r.tool_name, short(r.content_text)];
    const c = await jsonl(["proxy", "get", claude, "--config", config]);
    assert.deepEqual(c.map(cols), [
      [0, "user", "text", null, "<system-reminder>"],
      [0, "user", "text", null, "run the marker command"],
      [1, "system", "text", null, "Available agent types for the Agent tool"],
      [2, "assistant", "tool_call", "Bash", null],
      [3, "user", "tool_result", "Bash", "ctvs-e2e"],
      [4, "assistant", "text", null, "The command printed ctvs-e2e. Done — ✓."],
    ]);
    assert.equal(c[3].tool_call_id, c[4].tool_call_id);
    assert.match(c[3].tool_call_id, /^toolu_/);
    assert.deepEqual(c.map((r) => r.model), Array(6).fill(c[0].model));

    const x = await jsonl(["proxy", "get", codex, "--config", config]);
    const codexCols = (r: Row) => r.role === "tool" ? cols({ ...r, content_text: null }) : cols(r);
    assert.deepEqual(x.map(codexCols).filter((r) => r[1] !== "developer"), [
      [2, "user", "text", null, "<environment_context>"],
      [3, "user", "text", null, "run the marker command"],
      [4, "assistant", "tool_call", "exec_command", null],
      [5, "tool", "tool_result", "exec_command", null],
      [6, "assistant", "text", null, "The command printed ctvs-e2e. Done — ✓."],
    ]);
    const result = x.find((r) => r.role === "tool")!;
    // The command's real output went back to the model and is the tool result.
    assert.match(result.content_text, /\nctvs-e2e/);
    assert.equal(result.tool_call_id, x.find((r) => r.part_type === "tool_call")!.tool_call_id);
    assert.ok(x.filter((r) => r.role === "developer").length >= 1);
    assert.deepEqual(x.map((r) => r.model), Array(x.length).fill("gpt-fake"));
  } finally {
    await tmp.remove();
  }
});
