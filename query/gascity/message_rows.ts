/**
 * `gascity_messages` rows from the provider transcript lines of one Gas City session (reference §11): the shared
 * transcript normalizer (`../transcript_rows/`) makes the part-grain rows; this adds the agent identity, hoists the
 * line's outer fields and the answer's usage into columns, and prices each request once, as `llm_requests` does.
 *
 * Cost: Claude Code repeats an answer's usage on each of its lines; the normalizer observes it once per distinct
 * value. `cost_usd` is set on the first row of the line where a request's usage is first observed; should a later
 * line of the same request report more tokens (older Claude Code versions wrote a growing `output_tokens`), that
 * row carries the difference. So `sum(cost_usd)` counts every request exactly once, also when a backfill records
 * lines of a request the live stream recorded others of (the session journal keeps the usage keys priced). A Codex usage report
 * (`token_count`) has no content block: it gets a row of its own, `part_type` `usage`.
 *
 * @module
 */
import { normalizedContent } from "../proxy_messages/anthropic_turn.ts";
import { PRICE_DATA_VERSION, priceOfTokens } from "../pricing.ts";
import {
  transcriptNormalizer,
  type TranscriptPartRow,
  type TranscriptSource,
  type TranscriptUsageRow,
} from "../transcript_rows/mod.ts";
import { GASCITY_MESSAGES_SCHEMA_VERSION } from "./datasets.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** The session the lines belong to (the capture's `SessionIdentity`). */
export interface GascitySession {
  city: string;
  sessionId: string;
  template: string | null;
  rig: string | null;
  alias: string | null;
  /** Gas City's provider name: `claude`, `codex`, ... */
  provider: string | null;
}

/** Usage already counted for the session (its journal's claims): a request is priced once, whoever meets it. */
export interface UsageClaims {
  has(usageKey: string): boolean;
  add(usageKey: string): void;
}

/** Claims kept by one row maker alone (a caller with no journal). */
function localClaims(): UsageClaims {
  const made = new Set<string>();
  return { has: (k) => made.has(k), add: (k) => void made.add(k) };
}

/** What the rows of a session's next line need to know; plain JSON, saved with the session's journal. */
interface State {
  source: TranscriptSource | null;
  normalizer: unknown;
  /** The request last priced and its cost, so a grown report of it is charged only the difference. */
  priced: { key: string; usd: number } | null;
}

/**
 * The row maker of one session (new, or from its saved `state`): give it each line in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const session = { city: "alpha", sessionId: "s-1", template: "mayor", rig: null, alias: "mayor", provider: "claude" };
 * const rows = gascitySessionRows(session, undefined);
 * const [row] = rows.line({ type: "user", uuid: "u1", sessionId: "c1", timestamp: "2026-01-01T00:00:00Z",
 *   message: { role: "user", content: "hi" } }, "u1");
 * assert.deepEqual([row.gascity_template, row.role, row.content_text, row.row_id], ["mayor", "user", "hi", "alpha:s-1:u1:0"]);
 * ```
 */
export function gascitySessionRows(
  session: GascitySession,
  saved: unknown,
): {
  line(line: Record<string, unknown>, key: string, claims?: UsageClaims): Record<string, unknown>[];
  readonly state: State;
} {
  const state: State = isState(saved)
    ? { ...saved }
    : { source: sourceOf(session.provider), normalizer: undefined, priced: null };
  let normalizer = state.source ? transcriptNormalizer(state.source, state.normalizer) : undefined;
  const own = localClaims();
  return {
    line(line: Json, key: string, claims: UsageClaims = own) {
      if (!normalizer) {
        state.source = sourceOfLine(line);
        if (!state.source) return [];
        normalizer = transcriptNormalizer(state.source);
      }
      const out = normalizer.line(line);
      const rows: Record<string, unknown>[] = out.parts.map((part, i) =>
        partRow(session, state.source!, part, line, i)
      );
      if (!out.recognized && state.source === "claude_code" && line.type === "attachment") {
        rows.push(attachmentRow(session, line));
      }
      for (const usage of out.usage) {
        // A request priced by an earlier run (a backfill meeting what the live stream recorded) is not priced again.
        if (claims.has(usage.usage_key) && state.priced?.key !== usage.usage_key) continue;
        claims.add(usage.usage_key);
        // The line's first part carries its usage; a report with no part gets a row of its own.
        let row = rows.find((r) => !("cost_usd" in r) && r.part_type !== "attachment");
        if (!row) rows.push(row = usageRow(session, state.source!, usage, line));
        Object.assign(row, price(state, usage));
      }
      return rows.map((row, i) => ({
        cost_usd: null,
        price_model: null,
        price_version: null,
        ...row,
        raw_frame: line,
        row_id: `${session.city}:${session.sessionId}:${key}:${i}`,
      }));
    },
    get state(): State {
      return { ...state, normalizer: normalizer?.state };
    },
  };
}

/** The columns every row of a session has. */
function identity(session: GascitySession, source: TranscriptSource | null) {
  return {
    schema_version: GASCITY_MESSAGES_SCHEMA_VERSION,
    city: session.city,
    gascity_session_id: session.sessionId,
    gascity_template: session.template,
    gascity_rig: session.rig,
    gascity_alias: session.alias,
    provider: session.provider ?? (source === "codex" ? "codex" : "claude"),
  };
}

/** The columns hoisted from the line itself (Claude Code's outer fields; Codex lines have none of them). */
function lineFields(line: Json) {
  const m = line.message && typeof line.message === "object" ? line.message : {};
  const u = m.usage && typeof m.usage === "object" ? m.usage : undefined;
  return {
    permission_mode: text(line.permissionMode),
    entrypoint: text(line.entrypoint),
    prompt_id: text(line.promptId),
    source_tool_assistant_uuid: text(line.sourceToolAssistantUUID),
    stop_reason: text(m.stop_reason),
    stop_details: m.stop_details ?? null,
    input_tokens: int(u?.input_tokens),
    output_tokens: int(u?.output_tokens),
    cache_creation_input_tokens: int(u?.cache_creation_input_tokens),
    cache_read_input_tokens: int(u?.cache_read_input_tokens),
    ephemeral_1h_input_tokens: int(u?.cache_creation?.ephemeral_1h_input_tokens),
    ephemeral_5m_input_tokens: int(u?.cache_creation?.ephemeral_5m_input_tokens),
    service_tier: text(u?.service_tier),
    inference_geo: text(u?.inference_geo),
    speed: text(u?.speed),
  };
}

/** The row of part `p`, the `i`-th of `line` (for Claude Code, made from the line's `i`-th content block). */
function partRow(session: GascitySession, source: TranscriptSource, p: TranscriptPartRow, line: Json, i: number) {
  const block = source === "claude_code" ? normalizedContent(line.message?.content)[i] : undefined;
  const toolStatus = p.status?.tool_status;
  return {
    ...identity(session, source),
    provider_session_id: p.session_id ?? p.conversation_id,
    provider_uuid: p.uuid,
    message_id: p.message_id,
    role: p.role,
    part_index: p.part_index,
    part_type: p.part_type,
    cwd: p.cwd,
    git_branch: p.git_branch,
    is_sidechain: p.is_sidechain,
    client_version: p.version,
    request_id: p.request_id,
    parent_uuid: p.parent_uuid,
    message_created_at: p.message_created_at,
    conversation_started_at: p.conversation_started_at,
    model: p.model,
    ...lineFields(line),
    content_text: p.content_text,
    thinking_signature: p.thinking_signature,
    tool_name: p.tool_name,
    tool_call_id: p.tool_call_id,
    tool_args: p.tool_args ?? null,
    caller_type: text(block?.caller?.type),
    tool_result_for: p.part_type === "tool_result" ? p.tool_call_id : null,
    is_error: toolStatus === "error" ? true : toolStatus === "success" ? false : null,
    attachment_type: null,
    hook_event: null,
    attributes: attributes(p),
  };
}

/** An attachment line (hook output, a listing the client injected), which `transcript_messages` leaves out. */
function attachmentRow(session: GascitySession, line: Json) {
  const a = line.attachment && typeof line.attachment === "object" ? line.attachment : {};
  return {
    ...identity(session, "claude_code"),
    ...empty(),
    provider_session_id: text(line.sessionId),
    provider_uuid: text(line.uuid),
    message_id: text(line.uuid),
    part_index: 0,
    part_type: "attachment",
    cwd: text(line.cwd),
    git_branch: text(line.gitBranch),
    is_sidechain: typeof line.isSidechain === "boolean" ? line.isSidechain : null,
    client_version: text(line.version),
    parent_uuid: text(line.parentUuid),
    message_created_at: text(line.timestamp),
    ...lineFields(line),
    content_text: typeof a.content === "string" ? a.content : null,
    attachment_type: text(a.type),
    hook_event: text(a.hookEvent),
  };
}

/** A usage report with no content block to carry it (Codex `token_count`). */
function usageRow(session: GascitySession, source: TranscriptSource, u: TranscriptUsageRow, line: Json) {
  const uncached = u.input_tokens === null
    ? null
    : u.input_tokens - (u.cache_read_tokens ?? 0) - (u.cache_write_tokens ?? 0);
  return {
    ...identity(session, source),
    ...empty(),
    ...lineFields(line),
    provider_session_id: u.session_id ?? u.conversation_id,
    message_id: u.response_id,
    part_index: 0,
    part_type: "usage",
    cwd: u.cwd,
    git_branch: u.git_branch,
    is_sidechain: u.is_sidechain,
    client_version: u.version,
    request_id: u.request_id,
    message_created_at: text(line.timestamp) ?? u.ts_start,
    model: u.model,
    input_tokens: uncached,
    output_tokens: u.output_tokens,
    cache_creation_input_tokens: u.cache_write_tokens,
    cache_read_input_tokens: u.cache_read_tokens,
    attributes: { usage: u.usage },
  };
}

/** The cost columns of a usage observation; a grown report of the request priced last costs the difference. */
function price(state: State, u: TranscriptUsageRow) {
  const cost = priceOfTokens(u.provider, u.model, u, u.ts_start);
  const before = state.priced?.key === u.usage_key ? state.priced.usd : 0;
  state.priced = cost ? { key: u.usage_key, usd: cost.costUsd } : null;
  return {
    cost_usd: cost ? Math.round((cost.costUsd - before) * 1e9) / 1e9 : null,
    price_model: cost?.model ?? null,
    price_version: PRICE_DATA_VERSION,
  };
}

/** Every column a row not made from a part starts with. */
function empty() {
  return {
    provider_session_id: null,
    provider_uuid: null,
    message_id: null,
    role: null,
    is_sidechain: null,
    client_version: null,
    request_id: null,
    parent_uuid: null,
    conversation_started_at: null,
    model: null,
    content_text: null,
    thinking_signature: null,
    tool_name: null,
    tool_call_id: null,
    tool_args: null,
    caller_type: null,
    tool_result_for: null,
    is_error: null,
    attachment_type: null,
    hook_event: null,
    attributes: null,
  };
}

function attributes(p: TranscriptPartRow): Record<string, unknown> | null {
  const out: Record<string, unknown> = { ...p.attributes };
  if (p.status) out.status = p.status;
  if (p.agent_id) out.agent_id = p.agent_id;
  out.message_index = p.message_index;
  if (p.previous_message_id) out.previous_message_id = p.previous_message_id;
  return out;
}

function sourceOf(provider: string | null): TranscriptSource | null {
  if (!provider) return null;
  const name = provider.toLowerCase();
  if (name.startsWith("claude")) return "claude_code";
  if (name.startsWith("codex")) return "codex";
  return null;
}

/** The client that wrote `line`, by its shape, for a provider name not known above. */
function sourceOfLine(line: Json): TranscriptSource | null {
  if ((line.type === "user" || line.type === "assistant") && line.message) return "claude_code";
  if (line.payload && typeof line.type === "string") return "codex";
  return null;
}

function isState(value: unknown): value is State {
  return typeof value === "object" && value !== null && "source" in value && "priced" in value;
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function int(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) ? value : null;
}
