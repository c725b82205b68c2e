/**
 * The datasets `ctvs ui` reads conversations from, in one list: each gives messages (one row per content part, with
 * `proxy_messages`' columns where they overlap) and, optionally, requests (one row per model request with tokens and
 * cost, `llm_requests`' columns). A new conversation dataset (imported transcripts, Gas City) is one more entry; the
 * SQL below reads every entry, filling a column a dataset lacks with NULL.
 *
 * @module
 */
import { type Dataset, ident, literal } from "../dataset.ts";
import { LLM_REQUESTS } from "../llm_requests/dataset.ts";
import { PROXY_MESSAGES } from "../proxy_messages/dataset.ts";
import { TRANSCRIPT_MESSAGES } from "../transcript_messages/dataset.ts";
import { TRANSCRIPT_REQUESTS } from "../transcript_requests/dataset.ts";
import { TURN_APIS } from "../usage_report.ts";
import { GASCITY_CONVERSATIONS } from "./gascity_conversations.ts";

/** One dataset of conversations. */
export interface ConversationSource {
  /** Shown as the conversation's origin and used to tell conversations of two sources apart. */
  name: string;
  /** One row per content part. */
  messages: Dataset;
  /**
   * SQL over `messages` of the UI's part and context columns it names otherwise or computes (a column it neither has
   * nor maps is NULL).
   */
  columns?: Readonly<Record<string, string>>;
  /** Which rows of `messages` are parts of the conversation (all when absent). */
  where?: string;
  /** One row per model request, with tokens and cost; absent when the source has none. */
  requests?: Dataset;
  /**
   * When the rows of `requests` are not one per request: a SELECT over it of one row per request, with the request
   * columns by name.
   */
  requestsSql?: string;
}

/** Every conversation source `ctvs ui` shows. */
export const CONVERSATION_SOURCES: readonly ConversationSource[] = [
  { name: "proxy", messages: PROXY_MESSAGES, requests: LLM_REQUESTS },
  // What `ctvs import` read from Claude Code and Codex transcripts (their turns have no raw exchange).
  { name: "transcripts", messages: TRANSCRIPT_MESSAGES, requests: TRANSCRIPT_REQUESTS },
  // Gas City's agents: each session a conversation, with the agent's template, rig and alias.
  GASCITY_CONVERSATIONS,
];

/** The part columns the UI reads (typed as in `proxy_messages`). */
export const PART_COLUMNS = [
  "gateway_id",
  "date",
  "conversation_id",
  "provider",
  "model",
  "conversation_started_at",
  "conversation_source",
  "cwd",
  "git_branch",
  "message_id",
  "message_index",
  "message_created_at",
  "role",
  "part_index",
  "part_type",
  "content_text",
  "tool_name",
  "tool_call_id",
  "tool_args",
  "status",
  // Who the agent is, for the sources that know (Gas City): its template, rig and alias, and its city.
  "agent_template",
  "agent_rig",
  "agent_alias",
  "agent_city",
] as const;

/** The request columns the UI reads (typed as in `llm_requests`). */
export const REQUEST_COLUMNS = [
  "gateway_id",
  "date",
  "exchange_id",
  "conversation_id",
  "api",
  "ts_start",
  "ts_end",
  "model",
  "stream",
  "status",
  "error",
  "finish_reason",
  "latency_ms",
  "ttft_ms",
  "input_tokens",
  "cache_read_tokens",
  "cache_write_tokens",
  "output_tokens",
  "total_tokens",
  "cost_usd",
] as const;

/** The datasets every conversation source reads (to refresh before a query). */
export function conversationDatasets(sources: readonly ConversationSource[] = CONVERSATION_SOURCES): Dataset[] {
  return [...new Set(sources.flatMap((s) => s.requests ? [s.messages, s.requests] : [s.messages]))];
}

const PROXY_TYPES = new Map(PROXY_MESSAGES.columns.map((c) => [c.name, c.type]));
const REQUEST_TYPES = new Map(LLM_REQUESTS.columns.map((c) => [c.name, c.type]));
const typeOf = (name: string) => PROXY_TYPES.get(name) ?? REQUEST_TYPES.get(name) ?? "VARCHAR";

/** `columns` of `dataset`: its own, or `exprs`' SQL, or typed NULLs; then `clause` (a WHERE). */
function select(
  dataset: Dataset,
  columns: readonly string[],
  origin: string,
  exprs: Readonly<Record<string, string>> = {},
  clause?: string,
): string {
  const wanted = columns.map((name) => {
    if (exprs[name] !== undefined) return `${exprs[name]} AS ${ident(name)}`;
    const column = dataset.columns.find((c) => c.name === name);
    return column ? ident(name) : `CAST(NULL AS ${typeOf(name)}) AS ${ident(name)}`;
  });
  return `SELECT ${literal(origin)} AS origin, ${wanted.join(", ")} FROM ${ident(dataset.name)}${
    clause ? ` ${clause}` : ""
  }`;
}

/** The rows of a source's messages in `columns`. */
function messageSelect(s: ConversationSource, columns: readonly string[]): string {
  return select(s.messages, columns, s.name, s.columns, s.where ? `WHERE ${s.where}` : undefined);
}

/**
 * A relation of every source's parts: `origin` then {@link PART_COLUMNS}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(partsRelation(), /^SELECT 'proxy' AS origin, "gateway_id", .* FROM "proxy_messages" UNION ALL /);
 * assert.match(partsRelation(), /SELECT 'transcripts' AS origin, .* FROM "transcript_messages" UNION ALL /);
 * assert.match(partsRelation(), /SELECT 'gascity' AS origin, .* FROM "gascity_messages" WHERE "part_type" NOT IN /);
 * ```
 */
export function partsRelation(sources: readonly ConversationSource[] = CONVERSATION_SOURCES): string {
  return sources.map((s) => messageSelect(s, PART_COLUMNS)).join(" UNION ALL ");
}

/**
 * A relation of every source's model requests (`origin` then {@link REQUEST_COLUMNS}), only the API calls that are
 * turns of a conversation (as `ctvs query usage` counts them); an empty typed relation when no source has requests.
 */
export function requestsRelation(sources: readonly ConversationSource[] = CONVERSATION_SOURCES): string {
  const withRequests = sources.filter((s) => s.requests);
  if (withRequests.length === 0) {
    return `SELECT CAST(NULL AS VARCHAR) AS origin, ${
      REQUEST_COLUMNS.map((n) => `CAST(NULL AS ${REQUEST_TYPES.get(n)}) AS ${ident(n)}`).join(", ")
    } WHERE FALSE`;
  }
  return withRequests.map((s) => {
    if (!s.requestsSql) return `${select(s.requests!, REQUEST_COLUMNS, s.name)} WHERE ${TURN_APIS}`;
    const columns = REQUEST_COLUMNS.map(ident).join(", ");
    return `SELECT ${literal(s.name)} AS origin, ${columns} FROM (${s.requestsSql}) WHERE ${TURN_APIS}`;
  }).join(" UNION ALL ");
}

/** The columns of what a conversation's requests offered the model (typed as in `proxy_messages`). */
export const CONTEXT_COLUMNS = ["conversation_id", "message_created_at", "system_text", "tools"] as const;

/** A relation of every source's system text and tools by message (`origin` then {@link CONTEXT_COLUMNS}). */
export function contextRelation(sources: readonly ConversationSource[] = CONVERSATION_SOURCES): string {
  return sources.map((s) => messageSelect(s, CONTEXT_COLUMNS)).join(" UNION ALL ");
}
