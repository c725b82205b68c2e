/**
 * Codex rollout lines (`~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl`, anchors §4b) to part rows and usage
 * observations. A rollout line is `{timestamp, type, payload}`: `session_meta` names the session, `turn_context` the
 * model, each `response_item` is one Responses item (a message, reasoning, a tool call or its output: one message
 * with its parts), and `event_msg` `token_count` events carry the session's running token totals, turned here into
 * the usage of each response. Newer Codex writes a `token_usage_record` with the `response_id` before each count:
 * that id keys the usage (the proxy records it too); without it the key is the running total itself, from the session
 * the history started in, so history a forked rollout copies from its parent is counted once.
 *
 * @module
 */
import { canonicalJson, shortHash } from "../proxy_messages/canonical_json.ts";
import { responsesItem } from "../proxy_messages/openai_turn.ts";
import { compact } from "../proxy_messages/turn.ts";
import { type CodexCounts, codexCounts, codexDelta, codexTokens } from "./codex_usage.ts";
import {
  type LineContext,
  type MessageFields,
  type NormalizedLine,
  NOTHING,
  partRows,
  text,
  type TranscriptUsageRow,
} from "./rows.ts";
import { LineNormalizer } from "./line_normalizer.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** What a rollout's next line needs to know about the lines before it; plain JSON, saved between imports. */
export interface CodexState {
  sessionId: string | null;
  /** The id of the last `session_meta` (a forked rollout copies its parent's after its own). */
  lastMetaId: string | null;
  forkedFrom: string | null;
  startedAt: string | null;
  cwd: string | null;
  gitBranch: string | null;
  version: string | null;
  originator: string | null;
  model: string | null;
  messageIndex: number;
  messageId: string | null;
  /** The running totals of the last `token_count`. */
  totals: CodexCounts | null;
  /** The response id of a `token_usage_record` not yet followed by its `token_count`. */
  responseId: string | null;
  /** The time of the first answer item since the last `token_count`: when that response started. */
  responseStartedAt: string | null;
  openCalls: [string, string][];
}

/** The state before the first line. */
export function initialCodexState(): CodexState {
  return {
    sessionId: null,
    lastMetaId: null,
    forkedFrom: null,
    startedAt: null,
    cwd: null,
    gitBranch: null,
    version: null,
    originator: null,
    model: null,
    messageIndex: -1,
    messageId: null,
    totals: null,
    responseId: null,
    responseStartedAt: null,
    openCalls: [],
  };
}

// Item types of rollouts written before the `{type, payload}` envelope (2025).
const BARE_ITEMS = new Set([
  "message",
  "reasoning",
  "function_call",
  "function_call_output",
  "custom_tool_call",
  "custom_tool_call_output",
  "local_shell_call",
  "web_search_call",
]);

// Lines that are never messages or token counts, told by their first keys (as Codex writes them), so a reader of
// many lines need not parse them: the UI's events (but token counts) and world-state snapshots.
const IGNORABLE =
  /^\{"timestamp":"[^"]*",(?:"ordinal":\d+,)?"type":"(?:world_state"|event_msg","payload":\{"type":"(?!token_count")[a-z_]+")/;

/**
 * Whether a rollout line's text is one {@linkcode CodexNormalizer.line} gives nothing for, known without parsing it
 * (a reader may skip it; false when unsure).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ignorableCodexLine('{"timestamp":"t","ordinal":8,"type":"event_msg","payload":{"type":"item_completed"}}'), true);
 * assert.equal(ignorableCodexLine('{"timestamp":"t","type":"event_msg","payload":{"type":"token_count","info":null}}'), false);
 * assert.equal(ignorableCodexLine('{"timestamp":"t","type":"response_item","payload":{"type":"message"}}'), false);
 * ```
 */
export function ignorableCodexLine(text: string): boolean {
  return IGNORABLE.test(text);
}

/**
 * Normalizes the lines of one Codex rollout, in order. Give it each parsed line; keep one per rollout file (or
 * stream of one session's lines), and save {@linkcode state} to go on later from the next line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const rollout = new CodexNormalizer();
 * rollout.line({ type: "session_meta", payload: { id: "s1", cwd: "/repo", cli_version: "0.169.1" } });
 * rollout.line({ type: "turn_context", payload: { model: "gpt-5" } });
 * const call = rollout.line({ timestamp: "2025-03-01T00:00:00Z", type: "response_item",
 *   payload: { type: "function_call", id: "fc_1", name: "exec_command", arguments: '{"cmd":"ls"}', call_id: "call_1" } });
 * assert.deepEqual(call.parts.map((p) => [p.role, p.part_type, p.tool_name, p.model]),
 *   [["assistant", "tool_call", "exec_command", "gpt-5"]]);
 * const count = (input_tokens: number) => ({ type: "event_msg", payload: { type: "token_count",
 *   info: { total_token_usage: { input_tokens, output_tokens: 9 } } } });
 * assert.equal(rollout.line(count(30)).usage[0].input_tokens, 30);
 * assert.equal(rollout.line(count(30)).usage.length, 0); // repeated: no new usage
 * ```
 */
export class CodexNormalizer extends LineNormalizer<CodexState> {
  /** Starts a rollout, or goes on from a saved {@linkcode state}. */
  constructor(state: CodexState = initialCodexState()) {
    super(state);
  }

  /** The rows of one line that is an object. */
  protected object(raw: Json, context: LineContext): NormalizedLine {
    const ts = text(raw.timestamp);
    const payload = raw.payload && typeof raw.payload === "object" ? raw.payload : undefined;
    switch (payload ? raw.type : undefined) {
      case "session_meta":
        this.#meta(payload, ts);
        return { parts: [], usage: [], recognized: true };
      case "turn_context":
        this.saved.model = text(payload.model) ?? this.saved.model;
        this.saved.cwd = text(payload.cwd) ?? this.saved.cwd;
        return { parts: [], usage: [], recognized: true };
      case "response_item":
        return this.#item(payload, ts, context);
      case "token_usage_record":
        this.saved.responseId = text(payload.response_id);
        return { parts: [], usage: [], recognized: true };
      case "event_msg":
        if (payload.type !== "token_count") return NOTHING;
        return { parts: [], usage: this.#count(payload, ts, context), recognized: true };
    }
    if (payload) return NOTHING;
    // Rollouts before the envelope: a first line with the session, then bare items.
    if (BARE_ITEMS.has(raw.type)) return this.#item(raw, ts, context);
    if (this.saved.sessionId === null && text(raw.id) && raw.type === undefined && raw.record_type === undefined) {
      this.#meta(raw, ts);
      return { parts: [], usage: [], recognized: true };
    }
    return NOTHING;
  }

  #meta(meta: Json, ts: string | null): void {
    const s = this.saved;
    const id = text(meta.id) ?? text(meta.session_id);
    s.lastMetaId = id ?? s.lastMetaId;
    if (s.sessionId !== null) return;
    s.sessionId = id;
    s.forkedFrom = text(meta.forked_from_id);
    s.startedAt = text(meta.timestamp) ?? ts;
    s.cwd = text(meta.cwd);
    s.gitBranch = text(meta.git?.branch);
    s.version = text(meta.cli_version);
    s.originator = text(meta.originator);
  }

  #fields(ts: string | null, context: LineContext, entryType: string): Omit<MessageFields, "message_id" | "role"> {
    const s = this.saved;
    return {
      schema_version: 1,
      conversation_id: s.sessionId,
      provider: "openai",
      model: s.model,
      conversation_started_at: s.startedAt,
      conversation_source: "codex",
      cwd: s.cwd,
      git_branch: s.gitBranch,
      previous_message_id: s.messageId,
      message_index: s.messageIndex,
      message_created_at: ts,
      attributes: {},
      uuid: null,
      parent_uuid: null,
      session_id: s.sessionId,
      version: s.version,
      request_id: null,
      is_sidechain: null,
      agent_id: null,
      entry_type: entryType,
      source_path: context.sourcePath ?? null,
      source_offset: context.sourceOffset ?? null,
    };
  }

  #item(item: Json, ts: string | null, context: LineContext): NormalizedLine {
    const mapped = responsesItem(item);
    if (!mapped) return NOTHING;
    const s = this.saved;
    const messageId = text(item.id) ?? `${s.sessionId ?? ""}:${shortHash(canonicalJson(item))}`;
    const previous = s.messageId;
    if (mapped.role === "assistant") s.responseStartedAt ??= ts;
    s.messageIndex++;
    s.messageId = messageId;
    this.nameToolResults(mapped.parts);
    const fields: MessageFields = {
      ...this.#fields(ts, context, "response_item"),
      previous_message_id: previous,
      message_index: s.messageIndex,
      message_id: messageId,
      role: mapped.role,
      attributes: compact({
        item_type: item.type,
        item_status: item.status,
        turn_id: item.internal_chat_message_metadata_passthrough?.turn_id,
        client: s.version ? { codex_version: s.version } : undefined,
        originator: s.originator ?? undefined,
      }) ?? {},
    };
    return { parts: partRows(fields, mapped.parts, 0), usage: [], recognized: true };
  }

  #count(event: Json, ts: string | null, context: LineContext): TranscriptUsageRow[] {
    const s = this.saved;
    const info = event.info;
    const total = codexCounts(info?.total_token_usage);
    const last = codexCounts(info?.last_token_usage);
    const delta = total ? codexDelta(total, s.totals ?? undefined, last) : last;
    if (total) s.totals = total;
    const responseId = s.responseId;
    const startedAt = s.responseStartedAt ?? ts;
    s.responseId = null;
    s.responseStartedAt = null;
    if (!delta) return [];
    const origin = s.lastMetaId !== s.sessionId ? s.lastMetaId : s.forkedFrom ?? s.sessionId;
    const running = total ?? delta;
    const key = responseId
      ? `openai:${responseId}`
      : `codex:${origin ?? ""}:${running.total_tokens}:${running.input_tokens}:${running.output_tokens}`;
    const tokens = codexTokens(delta);
    const f = this.#fields(ts, context, "event_msg");
    return [{
      usage_key: key,
      ts_start: startedAt,
      provider: "openai",
      api: "responses",
      model: s.model,
      conversation_id: s.sessionId,
      conversation_source: "codex",
      cwd: s.cwd,
      git_branch: s.gitBranch,
      request_id: null,
      response_id: responseId,
      finish_reason: null,
      ...tokens,
      usage: { ...delta },
      session_id: s.sessionId,
      agent_id: null,
      is_sidechain: null,
      version: s.version,
      source_path: f.source_path,
      source_offset: f.source_offset,
    }];
  }
}
