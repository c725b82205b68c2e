/**
 * The plain row objects a transcript line is normalized to: one {@linkcode TranscriptPartRow} per content block (the
 * `transcript_messages` grain, the columns of `proxy_messages` where they overlap plus the transcript's own fields),
 * and a {@linkcode TranscriptUsageRow} where the line reports token usage (what `transcript_requests` is derived
 * from, one row per request once deduplicated by {@linkcode TranscriptUsageRow.usage_key}; its counts are
 * {@linkcode Tokens}, the convention of `llm_requests`: every input token, cached ones included, and output with
 * reasoning).
 *
 * @module
 */
import type { Tokens } from "../llm_requests/tokens.ts";
import type { Part } from "../proxy_messages/turn.ts";

/** Where a line came from, recorded on its rows; all optional (a line read from a live stream has no file). */
export interface LineContext {
  /** The transcript file the line was read from. */
  sourcePath?: string | null;
  /** The byte offset of the line in that file. */
  sourceOffset?: number | null;
}

/** Which client wrote the transcript. */
export type TranscriptSource = "claude_code" | "codex";

/** The fields every part of one message shares. */
export interface MessageFields {
  /** The row format's version (1). */
  schema_version: number;
  /** The session: Claude Code's `sessionId`, Codex's `session_meta.id` (the conversation id the proxy sees too). */
  conversation_id: string | null;
  provider: "anthropic" | "openai";
  /** The model of the answer (assistant rows), else the session's latest model known at that line. */
  model: string | null;
  /** The time of the transcript's first message (Claude Code), the session's start (Codex). */
  conversation_started_at: string | null;
  conversation_source: TranscriptSource;
  cwd: string | null;
  git_branch: string | null;
  /** Claude Code: the API message id of an answer (`msg_...`, shared by its lines), else the line's `uuid`; Codex: the item id. */
  message_id: string;
  previous_message_id: string | null;
  /** The position of the message in its transcript, from 0. */
  message_index: number;
  message_created_at: string | null;
  role: string;
  /** The line's other fields worth keeping: `usage` as written, `stop_reason`, `client`, `entrypoint`, ... */
  attributes: Record<string, unknown>;
  /** Claude Code's line `uuid` (Codex: null). */
  uuid: string | null;
  parent_uuid: string | null;
  session_id: string | null;
  /** The client's version (Claude Code `version`, Codex `cli_version`). */
  version: string | null;
  /** Claude Code's `requestId` (the API's `request-id` header). */
  request_id: string | null;
  is_sidechain: boolean | null;
  /** The subagent a sidechain line belongs to. */
  agent_id: string | null;
  /** The line's `type` (`user`, `assistant`, `response_item`). */
  entry_type: string;
  source_path: string | null;
  source_offset: number | null;
}

/** One content part of a transcript message: a `transcript_messages` row without `gateway_id` and `date`. */
export interface TranscriptPartRow extends MessageFields, Omit<Part, "lookupTool"> {
  /** `<message_id>#<part_index>`. */
  part_id: string;
  /** The position of the part in its message (an answer split over several lines continues its count). */
  part_index: number;
}

/**
 * One observation of a request's token usage. Claude Code repeats the usage on every line of an answer (and older
 * versions wrote a growing `output_tokens`), so several observations may share a `usage_key`: count each key once,
 * taking its largest output (`transcript_requests` does).
 */
export interface TranscriptUsageRow extends Tokens {
  /** Identifies the request across lines and files: `anthropic:<message id>:<request id>`, `openai:<response id>`, ... */
  usage_key: string;
  /** When the request was answered: Claude Code, the answer's first line; Codex, its first answer item. */
  ts_start: string | null;
  provider: "anthropic" | "openai";
  api: "messages" | "responses";
  model: string | null;
  conversation_id: string | null;
  conversation_source: TranscriptSource;
  cwd: string | null;
  git_branch: string | null;
  /** Claude Code's `requestId` (the `request-id` the proxy records too). */
  request_id: string | null;
  /** The API's id of the answer: Anthropic `msg_...`, OpenAI `resp_...`. */
  response_id: string | null;
  /** Anthropic's `stop_reason` mapped as in `proxy_messages`, when the line carried it. */
  finish_reason: string | null;
  /** The usage object as the transcript wrote it (Codex: the per-turn delta computed from the running totals). */
  usage: Record<string, unknown>;
  session_id: string | null;
  agent_id: string | null;
  is_sidechain: boolean | null;
  version: string | null;
  source_path: string | null;
  source_offset: number | null;
}

/** What one line gave. */
export interface NormalizedLine {
  parts: TranscriptPartRow[];
  usage: TranscriptUsageRow[];
  /** False for a line that is not a message or a usage report (metadata, UI events, snapshots): nothing to import. */
  recognized: boolean;
}

/** A line that gives nothing. */
export const NOTHING: NormalizedLine = Object.freeze({ parts: [], usage: [], recognized: false }) as NormalizedLine;

/**
 * The rows of `parts`, numbered from `firstIndex` within their message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { part } from "../proxy_messages/turn.ts";
 * const message = { message_id: "m1" } as MessageFields;
 * const rows = partRows(message, [part("text", { content_text: "hi" })], 2);
 * assert.deepEqual([rows[0].part_id, rows[0].part_index, rows[0].content_text], ["m1#2", 2, "hi"]);
 * ```
 */
export function partRows(message: MessageFields, parts: readonly Part[], firstIndex: number): TranscriptPartRow[] {
  return parts.map((p, i) => ({
    ...message,
    part_id: `${message.message_id}#${firstIndex + i}`,
    part_index: firstIndex + i,
    part_type: p.part_type,
    content_text: p.content_text,
    tool_name: p.tool_name,
    tool_call_id: p.tool_call_id,
    tool_args: p.tool_args,
    thinking_signature: p.thinking_signature,
    status: p.status,
  }));
}

/** A non-empty string, or null. */
export function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
