/**
 * The conversation reads of `ctvs ui`: the list (one row per conversation with its project, models, turns, tokens
 * and cost), the parts of one conversation in order (paged, long texts cut), its turns (one per model request with
 * usage, latency and cost) and one whole part.
 *
 * @module
 */
import { literal } from "../dataset.ts";
import {
  contextRelation,
  CONVERSATION_SOURCES,
  type ConversationSource,
  partsRelation,
  requestsRelation,
} from "./conversation_sources.ts";
import { containsText, type Page, pageClause } from "./page.ts";

/** What the list is filtered by (all optional). */
export interface ConversationFilter {
  /** Text found in the id, cwd, branch, model, agent (template, rig, alias) or any part's text. */
  q?: string;
  /** `claude_code`, `codex`, `api`. */
  client?: string;
  /** Part of a model name. */
  model?: string;
  /** Part of the working directory. */
  cwd?: string;
  /** Exactly this conversation (of `origin`, when given). */
  id?: string;
  origin?: string;
}

/** Characters of a part's text (or tool arguments) shipped with a page; the rest is fetched on demand. */
export const PART_TEXT_CAP = 20_000;

/**
 * The list of conversations, the most recently active first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const sql = conversationListSql({ client: "codex" }, { limit: 50, offset: 0 });
 * assert.match(sql, /conversation_source" = 'codex'/);
 * assert.match(sql, /LIMIT 51 OFFSET 0$/);
 * ```
 */
export function conversationListSql(
  filter: ConversationFilter,
  page: Page,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  const where: string[] = [];
  if (filter.id !== undefined) where.push(`c.conversation_id = ${literal(filter.id)}`);
  if (filter.origin !== undefined) where.push(`c.origin = ${literal(filter.origin)}`);
  if (filter.client) where.push(`c."conversation_source" = ${literal(filter.client)}`);
  if (filter.model) where.push(containsText("c.models", filter.model));
  if (filter.cwd) where.push(containsText("c.cwd", filter.cwd));
  if (filter.q) {
    const q = filter.q;
    where.push(
      `(${
        ["c.conversation_id", "c.cwd", "c.git_branch", "c.models", "c.agent_template", "c.agent_rig", "c.agent_alias"]
          .map((col) => containsText(col, q)).join(" OR ")
      }` +
        ` OR (c.origin, c.conversation_id) IN (SELECT origin, conversation_id FROM parts WHERE ${
          containsText('"content_text"', q)
        }))`,
    );
  }
  return `WITH parts AS (${partsRelation(sources)}),
requests AS (${requestsRelation(sources)}),
conversations AS (
  SELECT origin, conversation_id,
    min(coalesce(conversation_started_at, message_created_at)) AS started_at,
    max(message_created_at) AS last_at,
    any_value(provider) AS provider,
    any_value(conversation_source) AS conversation_source,
    any_value(cwd) AS cwd,
    any_value(git_branch) AS git_branch,
    any_value(agent_template) AS agent_template,
    any_value(agent_rig) AS agent_rig,
    any_value(agent_alias) AS agent_alias,
    any_value(agent_city) AS agent_city,
    string_agg(DISTINCT model, ', ' ORDER BY model) AS models,
    count(DISTINCT message_id) AS messages,
    count(*) AS parts,
    count(*) FILTER (WHERE part_type = 'tool_call') AS tool_calls
  FROM parts GROUP BY origin, conversation_id
),
usage AS (
  SELECT origin, conversation_id, count(*) AS turns, sum(total_tokens) AS total_tokens,
    round(sum(cost_usd), 6) AS cost_usd,
    count(*) FILTER (WHERE cost_usd IS NULL AND total_tokens IS NOT NULL) AS unpriced_turns,
    count(*) FILTER (WHERE error IS NOT NULL OR status >= 400) AS failed_turns
  FROM requests GROUP BY origin, conversation_id
)
SELECT c.*, coalesce(u.turns, 0) AS turns, u.total_tokens, u.cost_usd,
  coalesce(u.unpriced_turns, 0) AS unpriced_turns, coalesce(u.failed_turns, 0) AS failed_turns
FROM conversations c LEFT JOIN usage u USING (origin, conversation_id)
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY c.last_at DESC NULLS LAST, c.conversation_id${pageClause(page)}`;
}

const cut = (expr: string) =>
  `CASE WHEN length(${expr}) > ${PART_TEXT_CAP} THEN left(${expr}, ${PART_TEXT_CAP}) ELSE ${expr} END`;

/**
 * One page of a conversation's parts, in the order `ctvs query proxy get` prints them; texts and tool arguments
 * longer than {@link PART_TEXT_CAP} are cut (`content_length`, `tool_args_length` say how long they are).
 */
export function conversationPartsSql(
  origin: string,
  conversationId: string,
  page: Page,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  return `SELECT message_index, message_id, message_created_at, role, part_index, part_type, model,
  ${cut("content_text")} AS content_text, length(content_text) AS content_length,
  tool_name, tool_call_id, ${cut("CAST(tool_args AS VARCHAR)")} AS tool_args,
  length(CAST(tool_args AS VARCHAR)) AS tool_args_length, status
FROM (${partsRelation(sources)})
WHERE origin = ${literal(origin)} AND conversation_id = ${literal(conversationId)}
ORDER BY ${PART_ORDER}${pageClause(page)}`;
}

/** The order of a conversation's parts: the pages and the search's ordinals agree on it. */
const PART_ORDER = "message_index, message_created_at, message_id, part_index";

/** Parts a search reports at most. */
export const MAX_SEARCH_MATCHES = 1000;

/**
 * The parts of one conversation whose text, tool name or tool arguments contain `q` (ignoring case), in order, each
 * with its ordinal: its place in the order {@link conversationPartsSql} pages through. At most
 * {@link MAX_SEARCH_MATCHES} (and one more, to tell there are more).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const sql = conversationSearchSql("proxy", "c1", "it's");
 * assert.match(sql, /strpos\(lower\(CAST\("content_text" AS VARCHAR\)\), lower\('it''s'\)\) > 0/);
 * assert.match(sql, /LIMIT 1001$/);
 * ```
 */
export function conversationSearchSql(
  origin: string,
  conversationId: string,
  q: string,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  const fields = ['"content_text"', '"tool_name"', '"tool_args"'].map((c) => containsText(c, q)).join(" OR ");
  return `SELECT ordinal, message_id, message_index, part_index, part_type FROM (
  SELECT row_number() OVER (ORDER BY ${PART_ORDER}) - 1 AS ordinal, *
  FROM (${partsRelation(sources)})
  WHERE origin = ${literal(origin)} AND conversation_id = ${literal(conversationId)}
) WHERE ${fields}
ORDER BY ordinal LIMIT ${MAX_SEARCH_MATCHES + 1}`;
}

/**
 * What the requests of one conversation offered the model: each distinct system text and each distinct tool list
 * (as JSON text), with when it was first sent and by how many requests that added messages, oldest first (at most
 * 20 of each).
 */
export function conversationContextSql(
  origin: string,
  conversationId: string,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  return `WITH ctx AS (
  SELECT system_text, CAST(tools AS VARCHAR) AS tools, message_created_at FROM (${contextRelation(sources)})
  WHERE origin = ${literal(origin)} AND conversation_id = ${literal(conversationId)}
),
system AS (
  SELECT 'system' AS kind, system_text AS text, min(message_created_at) AS first_at,
    count(DISTINCT message_created_at) AS requests
  FROM ctx WHERE system_text IS NOT NULL AND system_text <> '' GROUP BY system_text ORDER BY first_at LIMIT 20
),
tools AS (
  SELECT 'tools' AS kind, tools AS text, min(message_created_at) AS first_at,
    count(DISTINCT message_created_at) AS requests
  FROM ctx WHERE tools IS NOT NULL AND tools NOT IN ('null', '[]') GROUP BY tools ORDER BY first_at LIMIT 20
)
SELECT * FROM system UNION ALL SELECT * FROM tools ORDER BY kind, first_at`;
}

/** The turns (model requests) of one conversation, oldest first, with where their raw exchange is recorded. */
export function conversationTurnsSql(
  origin: string,
  conversationId: string,
  page: Page,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  return `SELECT * EXCLUDE (origin, conversation_id) FROM (${requestsRelation(sources)})
WHERE origin = ${literal(origin)} AND conversation_id = ${literal(conversationId)}
ORDER BY ts_start, exchange_id${pageClause(page)}`;
}

/**
 * One part whole (its full text and tool arguments) and where it was recorded: its day file, the start of the
 * exchange that first carried it, its place in that request.
 */
export function conversationPartSql(
  origin: string,
  conversationId: string,
  messageId: string,
  partIndex: number,
  sources: readonly ConversationSource[] = CONVERSATION_SOURCES,
): string {
  if (!Number.isSafeInteger(partIndex) || partIndex < 0) {
    throw new RangeError(`Cannot read a part: part index must be 0 or more, got ${partIndex}`);
  }
  return `SELECT content_text, CAST(tool_args AS VARCHAR) AS tool_args,
  gateway_id, date, message_created_at, message_index, part_index, part_type
FROM (${partsRelation(sources)})
WHERE origin = ${literal(origin)} AND conversation_id = ${literal(conversationId)}
  AND message_id = ${literal(messageId)} AND part_index = ${partIndex} LIMIT 1`;
}
