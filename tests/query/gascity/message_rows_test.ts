/**
 * gascity_messages rows from the transcripts the real Claude Code and Codex CLIs wrote (tests/fixtures/transcripts/):
 * identity, hoisted fields, one cost per request equal to what llm_requests computes from the proxy's recording of
 * the same turns, and rows that do not depend on where the lines were split between saves of the state.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type GascitySession, gascitySessionRows } from "../../../query/gascity/message_rows.ts";
import { requestRow } from "../../../query/llm_requests/request_row.ts";
import { readBundles } from "../../../query/proxy_messages/bundles.ts";
import { apiOf } from "../../../query/proxy_messages/wire.ts";
import { CLAUDE_FILE, CODEX_FILE, type Line, lines, PROXY_FILE } from "../transcript_rows/_recorded.ts";
import { lineKey } from "../../../server/gascity/line_key.ts";

const CLAUDE = lines(CLAUDE_FILE);
const CODEX = lines(CODEX_FILE);
const MAYOR: GascitySession = {
  city: "alpha",
  sessionId: "s-1",
  template: "mayor",
  rig: "rig-a",
  alias: "mayor",
  provider: "claude",
};
const POLECAT: GascitySession = { ...MAYOR, sessionId: "s-2", template: "polecat", alias: "p1", provider: "codex" };

/** The rows of `input`, the state saved and reloaded before every line whose index is in `splits`. */
function rowsOf(session: GascitySession, input: Line[], splits: number[] = []): Record<string, unknown>[] {
  let maker = gascitySessionRows(session, undefined);
  const out: Record<string, unknown>[] = [];
  input.forEach((line, i) => {
    if (splits.includes(i)) maker = gascitySessionRows(session, JSON.parse(JSON.stringify(maker.state)));
    out.push(...maker.line(line, lineKey(line)));
  });
  return out;
}

/** The llm_requests cost of the proxy's exchanges of one API, summed. */
async function proxyCost(api: string): Promise<number> {
  let sum = 0;
  for await (const bundle of readBundles(PROXY_FILE)) {
    if (apiOf(bundle.exchange.request?.path) !== api) continue;
    const cost = requestRow(bundle).cost_usd as number | null;
    assert.notEqual(cost, null);
    sum += cost!;
  }
  return sum;
}

const sum = (rows: Record<string, unknown>[]) => rows.reduce((s, r) => s + ((r.cost_usd as number) ?? 0), 0);

test("gascitySessionRows() makes a row per content block (and attachment) of a real Claude Code transcript", () => {
  const rows = rowsOf(MAYOR, CLAUDE);
  assert.deepEqual(rows.map((r) => [r.role, r.part_index, r.part_type, r.tool_name, r.attachment_type]), [
    ["user", 0, "text", null, null],
    [null, 0, "attachment", null, "agent_listing_delta"],
    [null, 0, "attachment", null, "skill_listing"],
    ["assistant", 0, "reasoning", null, null],
    ["assistant", 1, "tool_call", "Bash", null],
    ["user", 0, "tool_result", "Bash", null],
    ["assistant", 0, "reasoning", null, null],
    ["assistant", 1, "text", null, null],
    ["user", 0, "text", null, null],
    ["assistant", 0, "reasoning", null, null],
    ["assistant", 1, "text", null, null],
    ["assistant", 2, "tool_call", "Bash", null],
    ["assistant", 3, "tool_call", "Bash", null],
    ["user", 0, "tool_result", "Bash", null],
    ["user", 0, "tool_result", "Bash", null],
    ["assistant", 0, "reasoning", null, null],
    ["assistant", 1, "text", null, null],
  ]);
  const session = CLAUDE.find((l) => l.sessionId)!.sessionId;
  for (const row of rows) {
    assert.deepEqual(
      [row.schema_version, row.city, row.gascity_session_id, row.gascity_template, row.gascity_rig, row.gascity_alias],
      [1, "alpha", "s-1", "mayor", "rig-a", "mayor"],
    );
    assert.equal(row.provider, "claude");
    assert.equal(row.provider_session_id, session);
    assert.equal(row.cwd, "/tmp/ctvs-transcripts-fixture");
    assert.equal(row.git_branch, "HEAD");
    assert.equal(row.entrypoint, "sdk-cli");
    assert.equal(row.is_sidechain, false);
    assert.match(String(row.client_version), /^2\.\d+\.\d+$/);
    assert.match(String(row.provider_uuid), /^[0-9a-f-]{36}$/);
    assert.ok(CLAUDE.some((l) => l === row.raw_frame && l.uuid === row.provider_uuid));
    assert.match(String(row.message_created_at), /^\d{4}-\d\d-\d\dT/);
  }
  assert.equal(new Set(rows.map((r) => r.row_id)).size, rows.length);
  assert.equal(rows[0].row_id, `alpha:s-1:${CLAUDE.find((l) => l.type === "user")!.uuid}:0`);
  // The line's outer fields and the answer's usage, hoisted.
  assert.deepEqual([rows[0].permission_mode, rows[0].content_text], ["default", "run the marker command"]);
  assert.match(String(rows[0].prompt_id), /^[0-9a-f-]{36}$/);
  const answer = rows[3];
  assert.deepEqual(
    [answer.model, answer.stop_reason, answer.input_tokens, answer.output_tokens, answer.service_tier, answer.speed],
    ["claude-sonnet-4-5-20250929", "tool_use", 25, 12, "standard", "standard"],
  );
  assert.match(String(answer.message_id), /^msg_/);
  assert.match(String(answer.request_id), /^req_/);
  assert.equal(answer.thinking_signature, "sig-fake");
  const cached = rows[9];
  assert.deepEqual(
    [cached.input_tokens, cached.cache_creation_input_tokens, cached.cache_read_input_tokens, cached.output_tokens],
    [40, 1000, 2000, 30],
  );
  const call = rows[4];
  const result = rows[5];
  assert.deepEqual(call.tool_args, { command: "echo ctvs-e2e", description: "Print a marker" });
  assert.deepEqual(
    [result.tool_call_id, result.tool_result_for, result.is_error, result.content_text],
    [call.tool_call_id, call.tool_call_id, false, "ctvs-e2e"],
  );
  assert.equal(result.source_tool_assistant_uuid, call.provider_uuid);
});

test("gascitySessionRows() prices each request once, as llm_requests prices the proxy's recording of it", async () => {
  const rows = rowsOf(MAYOR, CLAUDE);
  const priced = rows.filter((r) => r.cost_usd !== null);
  // Four answers, each written as several lines repeating its usage: one priced row each, its first.
  assert.deepEqual(priced.map((r) => rows.indexOf(r)), [3, 6, 9, 15]);
  assert.ok(priced.every((r) => r.price_model === "claude-sonnet-4-5" && /genai-prices/.test(String(r.price_version))));
  assert.equal(new Set(priced.map((r) => r.message_id)).size, 4);
  assert.ok(Math.abs(sum(rows) - await proxyCost("messages")) < 1e-9, `${sum(rows)} vs ${await proxyCost("messages")}`);
  assert.ok(sum(rows) > 0);
});

test("gascitySessionRows() rows are the same whatever lines the state was saved and reloaded between", () => {
  const whole = rowsOf(MAYOR, CLAUDE);
  for (let split = 1; split < CLAUDE.length; split++) {
    assert.deepEqual(rowsOf(MAYOR, CLAUDE, [split]), whole, `split before line ${split}`);
  }
  assert.deepEqual(rowsOf(MAYOR, CLAUDE, [...CLAUDE.keys()]), whole);
});

test("a request whose usage grows on a later line (older Claude Code) is charged only the difference", () => {
  const first = CLAUDE.findIndex((l) => l.type === "assistant");
  const grown = structuredClone(CLAUDE[first + 1]);
  grown.uuid = "grown-line";
  grown.message.usage.output_tokens = 500;
  const rows = rowsOf(MAYOR, [...CLAUDE.slice(0, first + 2), grown]);
  const priced = rows.filter((r) => r.cost_usd !== null);
  assert.equal(priced.length, 2);
  const [a, b] = priced.map((r) => r.cost_usd as number);
  // 488 more output tokens at $15 per million.
  assert.ok(Math.abs(b - 488 * 15e-6) < 1e-9, String(b));
  assert.ok(a > 0);
});

test("gascitySessionRows() turns a real Codex rollout into rows, with its usage reports priced as llm_requests does", async () => {
  const rows = rowsOf(POLECAT, CODEX);
  const parts = rows.filter((r) => r.part_type !== "usage" && r.role !== "developer");
  assert.deepEqual(parts.map((r) => [r.role, r.part_type, r.tool_name]), [
    ["user", "text", null],
    ["user", "text", null],
    ["assistant", "tool_call", "exec_command"],
    ["tool", "tool_result", "exec_command"],
    ["assistant", "text", null],
    ["user", "text", null],
    ["assistant", "reasoning", null],
    ["assistant", "text", null],
    ["assistant", "tool_call", "exec_command"],
    ["assistant", "tool_call", "exec_command"],
    ["tool", "tool_result", "exec_command"],
    ["tool", "tool_result", "exec_command"],
    ["assistant", "reasoning", null],
    ["assistant", "text", null],
  ]);
  const usage = rows.filter((r) => r.part_type === "usage");
  assert.equal(usage.length, 4);
  assert.ok(usage.every((r) => r.model === "gpt-5" && r.cost_usd !== null && r.gascity_template === "polecat"));
  assert.ok(rows.every((r) => r.provider === "codex" && r.provider_uuid === null));
  // Input is counted without its cached part, as Anthropic's columns are: 3,000 in, 2,000 of them cached.
  assert.ok(usage.some((r) => r.input_tokens === 1000 && r.cache_read_input_tokens === 2000));
  assert.ok(
    Math.abs(sum(rows) - await proxyCost("responses")) < 1e-9,
    `${sum(rows)} vs ${await proxyCost("responses")}`,
  );
});

test("a provider the supervisor does not name is recognized from the lines; unknown lines give no rows", () => {
  const unnamed = { ...MAYOR, provider: null };
  const rows = rowsOf(unnamed, [{ type: "queue-operation", operation: "enqueue" }, ...CLAUDE]);
  assert.equal(rows.length, rowsOf(MAYOR, CLAUDE).length);
  assert.equal(rows[0].provider, "claude");
  assert.deepEqual(rowsOf({ ...MAYOR, provider: "gemini" }, [{ kind: "something else" }]), []);
});

test("a Codex session read from the middle (a live stream replaying from the last compaction) counts each response alone", () => {
  const full = rowsOf(POLECAT, CODEX).filter((r) => r.part_type === "usage");
  const second = CODEX.findIndex((l, i) => i > 0 && l.type === "event_msg" && l.payload?.type === "token_count");
  const midway = rowsOf(POLECAT, CODEX.slice(second + 1)).filter((r) => r.part_type === "usage");
  const expected = full.filter((r) => midway.some((m) => m.row_id === r.row_id));
  assert.equal(midway.length, 3);
  const tokens = (r: Record<string, unknown>) => [r.row_id, r.input_tokens, r.cache_read_input_tokens, r.output_tokens];
  // The response's own tokens (last_token_usage), not the session's running total.
  assert.deepEqual(midway.map(tokens), expected.map(tokens));
  // Its model is not known until the next turn context: unpriced (NULL, never a wrong cost); later ones priced alike.
  assert.equal(midway[0].cost_usd, null);
  assert.deepEqual(midway.slice(1).map((r) => r.cost_usd), expected.slice(1).map((r) => r.cost_usd));
});
