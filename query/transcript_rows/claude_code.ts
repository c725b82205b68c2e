/**
 * Claude Code transcript lines (`~/.claude/projects/<project>/<session>.jsonl`, anchors §4a) to part rows and usage
 * observations. Claude Code writes one line per content block of an answer, each with the whole message's `id`,
 * `usage` and the request's `requestId`: the blocks become the parts of one message, and the usage is observed once
 * per distinct value (an identical repeat gives no row; a grown `output_tokens`, as older versions wrote, gives one
 * more under the same key, and the largest is the one counted).
 *
 * @module
 */
import { anthropicFinishReason, anthropicPart, normalizedContent } from "../proxy_messages/anthropic_turn.ts";
import { canonicalJson, shortHash } from "../proxy_messages/canonical_json.ts";
import { compact } from "../proxy_messages/turn.ts";
import { anthropicTokens } from "../llm_requests/tokens.ts";
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

/** The model Claude Code names on lines it made up itself (an API error, "No response requested."): never billed. */
export const SYNTHETIC_MODEL = "<synthetic>";

/** What a transcript's next line needs to know about the lines before it; plain JSON, saved between imports. */
export interface ClaudeCodeState {
  /** The time of the first message. */
  startedAt: string | null;
  /** The index of the last message seen (-1: none yet). */
  messageIndex: number;
  messageId: string | null;
  previousMessageId: string | null;
  /** Parts the last message has so far (an answer spans several lines). */
  partCount: number;
  /** The time of the last message's first line. */
  messageStartedAt: string | null;
  /** The last model that answered. */
  model: string | null;
  openCalls: [string, string][];
  /** The key and tokens of the last usage observed, so an identical repeat is not observed again. */
  lastUsage: string | null;
}

// Lines that are never messages, told by their first key (as Claude Code writes them), so a reader of many lines
// need not parse them: file snapshots (which can be megabytes), queue operations, prompts, modes, summaries, titles.
const IGNORABLE = /^\{"type":"(?:file-history-snapshot|queue-operation|last-prompt|mode|summary|custom-title)"/;

/**
 * Whether a transcript line's text is one {@linkcode ClaudeCodeNormalizer.line} gives nothing for, known without
 * parsing it (a reader may skip it; false when unsure).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ignorableClaudeCodeLine('{"type":"file-history-snapshot","messageId":"m"}'), true);
 * assert.equal(ignorableClaudeCodeLine('{"parentUuid":null,"type":"user"}'), false);
 * ```
 */
export function ignorableClaudeCodeLine(text: string): boolean {
  return IGNORABLE.test(text);
}

/** The state before the first line. */
export function initialClaudeCodeState(): ClaudeCodeState {
  return {
    startedAt: null,
    messageIndex: -1,
    messageId: null,
    previousMessageId: null,
    partCount: 0,
    messageStartedAt: null,
    model: null,
    openCalls: [],
    lastUsage: null,
  };
}

/**
 * Normalizes the lines of one Claude Code transcript, in order. Give it each parsed line (`JSON.parse` of the
 * line); keep one per transcript file (or stream of one session's lines), and save {@linkcode state} to go on later
 * from the next line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const transcript = new ClaudeCodeNormalizer();
 * const base = { sessionId: "s1", cwd: "/repo", version: "2.1.197", requestId: "req_1", type: "assistant" };
 * const usage = { input_tokens: 10, cache_read_input_tokens: 100, output_tokens: 5 };
 * const message = (content: unknown) => ({ id: "msg_1", role: "assistant", model: "claude-sonnet-4-5", content, usage });
 * const a = transcript.line({ ...base, uuid: "u1", timestamp: "2025-03-01T00:00:00Z",
 *   message: message([{ type: "text", text: "Running it." }]) });
 * const b = transcript.line({ ...base, uuid: "u2", timestamp: "2025-03-01T00:00:01Z",
 *   message: message([{ type: "tool_use", id: "toolu_1", name: "Bash", input: { command: "ls" } }]) });
 * assert.deepEqual([...a.parts, ...b.parts].map((p) => [p.part_id, p.part_type, p.tool_name]),
 *   [["msg_1#0", "text", null], ["msg_1#1", "tool_call", "Bash"]]);
 * // The second line repeats the same usage: observed once.
 * assert.deepEqual([a.usage.length, b.usage.length], [1, 0]);
 * assert.equal(a.usage[0].input_tokens, 110);
 * ```
 */
export class ClaudeCodeNormalizer extends LineNormalizer<ClaudeCodeState> {
  /** Starts a transcript, or goes on from a saved {@linkcode state}. */
  constructor(state: ClaudeCodeState = initialClaudeCodeState()) {
    super(state);
  }

  /** The rows of one line that is an object. */
  protected object(raw: Json, context: LineContext): NormalizedLine {
    const s = this.saved;
    const ts = text(raw.timestamp);
    const type = raw.type;
    const m = raw.message;
    if ((type !== "user" && type !== "assistant") || !m || typeof m !== "object") return NOTHING;
    s.startedAt ??= ts;
    const answer = type === "assistant";
    const apiId = answer ? text(m.id) : null;
    const messageId = apiId ?? text(raw.uuid) ?? shortHash(canonicalJson(raw));
    if (messageId !== s.messageId) {
      s.previousMessageId = s.messageId;
      s.messageId = messageId;
      s.messageIndex++;
      s.partCount = 0;
      s.messageStartedAt = ts;
    }
    const lineModel = answer ? text(m.model) : null;
    if (lineModel && lineModel !== SYNTHETIC_MODEL) s.model = lineModel;
    const version = text(raw.version);
    const fields: MessageFields = {
      schema_version: 1,
      conversation_id: text(raw.sessionId),
      provider: "anthropic",
      model: lineModel ?? s.model,
      conversation_started_at: s.startedAt,
      conversation_source: "claude_code",
      cwd: text(raw.cwd),
      git_branch: text(raw.gitBranch),
      message_id: messageId,
      previous_message_id: s.previousMessageId,
      message_index: s.messageIndex,
      message_created_at: ts,
      role: text(m.role) ?? type,
      attributes: compact({
        usage: answer ? m.usage : undefined,
        stop_reason: answer ? m.stop_reason ?? undefined : undefined,
        client: version ? { claude_version: version } : undefined,
        entrypoint: raw.entrypoint,
        user_type: raw.userType,
        prompt_id: raw.promptId,
        permission_mode: raw.permissionMode,
        is_meta: raw.isMeta,
        is_compact_summary: raw.isCompactSummary,
        is_api_error_message: raw.isApiErrorMessage,
      }) ?? {},
      uuid: text(raw.uuid),
      parent_uuid: text(raw.parentUuid),
      session_id: text(raw.sessionId),
      version,
      request_id: text(raw.requestId),
      is_sidechain: typeof raw.isSidechain === "boolean" ? raw.isSidechain : null,
      agent_id: text(raw.agentId),
      entry_type: type,
      source_path: context.sourcePath ?? null,
      source_offset: context.sourceOffset ?? null,
    };
    const parts = normalizedContent(m.content).map(anthropicPart);
    this.nameToolResults(parts);
    const rows = partRows(fields, parts, s.partCount);
    s.partCount += parts.length;
    const usage = answer && lineModel !== SYNTHETIC_MODEL ? this.#usage(raw, fields, apiId) : undefined;
    return { parts: rows, usage: usage ? [usage] : [], recognized: true };
  }

  #usage(raw: Json, fields: MessageFields, apiId: string | null): TranscriptUsageRow | undefined {
    const m = raw.message;
    if (!m.usage || typeof m.usage !== "object") return undefined;
    const key = `anthropic:${apiId ?? fields.message_id}:${fields.request_id ?? ""}`;
    const tokens = anthropicTokens(m.usage, true);
    const seen = `${key} ${JSON.stringify(tokens)}`;
    if (seen === this.saved.lastUsage) return undefined;
    this.saved.lastUsage = seen;
    return {
      usage_key: key,
      ts_start: this.saved.messageStartedAt,
      provider: "anthropic",
      api: "messages",
      model: fields.model,
      conversation_id: fields.conversation_id,
      conversation_source: "claude_code",
      cwd: fields.cwd,
      git_branch: fields.git_branch,
      request_id: fields.request_id,
      response_id: apiId,
      finish_reason: anthropicFinishReason(m.stop_reason) ?? null,
      input_tokens: tokens.input_tokens,
      cache_read_tokens: tokens.cache_read_tokens,
      cache_write_tokens: tokens.cache_write_tokens,
      cache_write_1h_tokens: tokens.cache_write_1h_tokens,
      output_tokens: tokens.output_tokens,
      reasoning_tokens: tokens.reasoning_tokens,
      usage: m.usage,
      session_id: fields.session_id,
      agent_id: fields.agent_id,
      is_sidechain: fields.is_sidechain,
      version: fields.version,
      source_path: fields.source_path,
      source_offset: fields.source_offset,
    };
  }
}
