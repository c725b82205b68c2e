/**
 * Gas City's sessions as `ctvs ui` conversations: each session of a city is one conversation (`<city>:<session id>`),
 * its `gascity_messages` rows its parts (the attachment lines and Codex's usage reports are not parts of the dialogue),
 * with the agent's template, rig and alias; its requests are made from the same rows, one per request, in the
 * conventions of `llm_requests` (input tokens with the cache, the cost the capture priced once per request).
 *
 * @module
 */
import type { ConversationSource } from "./conversation_sources.ts";
import { ident } from "../dataset.ts";
import { GASCITY_MESSAGES } from "../gascity/datasets.ts";
import { LLM_REQUESTS } from "../llm_requests/dataset.ts";

/** A session's conversation id: its city and its id (session ids are unique within a city only). */
const CONVERSATION_ID = `"city" || ':' || "gascity_session_id"`;

const typed = (name: string) => `CAST(NULL AS ${LLM_REQUESTS.columns.find((c) => c.name === name)!.type})`;

/** The request columns of a group of rows that hold one request's usage (repeated on each row, as written). */
function usageColumns(api: string): string {
  // The transcript's input_tokens leave the cache out (Anthropic's convention); llm_requests counts it in.
  const input = `max("input_tokens") + coalesce(max("cache_read_input_tokens"), 0) + ` +
    `coalesce(max("cache_creation_input_tokens"), 0)`;
  return [
    `any_value("gateway_id") AS "gateway_id"`,
    `min("date") AS "date"`,
    `${typed("exchange_id")} AS "exchange_id"`,
    `"conversation_id"`,
    `${api} AS "api"`,
    `max("message_created_at") AS "ts_end"`,
    `max("model") AS "model"`,
    `${typed("stream")} AS "stream"`,
    `${typed("status")} AS "status"`,
    `${typed("error")} AS "error"`,
    `max("stop_reason") AS "finish_reason"`,
    `${typed("latency_ms")} AS "latency_ms"`,
    `${typed("ttft_ms")} AS "ttft_ms"`,
    `${input} AS "input_tokens"`,
    `max("cache_read_input_tokens") AS "cache_read_tokens"`,
    `max("cache_creation_input_tokens") AS "cache_write_tokens"`,
    `max("output_tokens") AS "output_tokens"`,
    `${input} + max("output_tokens") AS "total_tokens"`,
    // The capture prices a request on one row (and a later, larger report of it on another): their sum, once.
    `sum("cost_usd") AS "cost_usd"`,
  ].join(", ");
}

/**
 * The requests of the Gas City sessions. Claude Code: an answer (assistant message) is a request, its usage on each of
 * its rows; it starts at its first row. Codex: a request's usage is a row of its own, written after its answer, so the
 * request starts at the first answer row since the session's previous report.
 */
const REQUESTS_SQL = `WITH parts AS (
  SELECT *, ${CONVERSATION_ID} AS "conversation_id" FROM ${ident(GASCITY_MESSAGES.name)}
  WHERE "part_type" <> 'attachment'
),
reports AS (
  SELECT *, lag("message_created_at") OVER (PARTITION BY "conversation_id" ORDER BY "message_created_at", "row_id")
    AS "previous_at"
  FROM parts WHERE "part_type" = 'usage'
),
codex AS (
  SELECT r.*, (SELECT min(a."message_created_at") FROM parts a WHERE a."conversation_id" = r."conversation_id"
    AND a."role" = 'assistant' AND a."message_created_at" <= r."message_created_at"
    AND (r."previous_at" IS NULL OR a."message_created_at" > r."previous_at")) AS "answered_at"
  FROM reports r
)
SELECT ${usageColumns("'messages'")}, min("message_created_at") AS "ts_start"
FROM parts WHERE "role" = 'assistant' AND "part_type" <> 'usage' AND "input_tokens" IS NOT NULL
GROUP BY "conversation_id", "message_id"
UNION ALL BY NAME
SELECT ${usageColumns("'responses'")}, coalesce(min("answered_at"), min("message_created_at")) AS "ts_start"
FROM codex GROUP BY "conversation_id", "message_id"`;

/** The Gas City conversation source of `ctvs ui`. */
export const GASCITY_CONVERSATIONS: ConversationSource = {
  name: "gascity",
  messages: GASCITY_MESSAGES,
  columns: {
    conversation_id: CONVERSATION_ID,
    // The client as the other sources name it (Gas City names the provider: claude, codex, ...).
    conversation_source: `CASE "provider" WHEN 'claude' THEN 'claude_code' ELSE "provider" END`,
    // The capture keeps the message's place in its session among the row's attributes.
    message_index: `try_cast(json_extract_string("attributes", '$.message_index') AS INTEGER)`,
    agent_template: `"gascity_template"`,
    agent_rig: `"gascity_rig"`,
    agent_alias: `"gascity_alias"`,
    agent_city: `"city"`,
  },
  where: `"part_type" NOT IN ('attachment', 'usage')`,
  requests: GASCITY_MESSAGES,
  requestsSql: REQUESTS_SQL,
};
