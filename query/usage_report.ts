/**
 * The SQL of the usage reports (`ctvs query usage daily|weekly|monthly|session|model`): tokens and cost per period,
 * conversation or model, a Total row last, and with `breakdown` one row per model within each group. Tokens follow
 * ccusage's columns: `input_tokens` here is the uncached input (input minus cache reads and writes), so input +
 * output + cache write + cache read = total. Days and weeks are UTC; weeks start on Monday.
 *
 * The requests come from the proxy (`llm_requests`), the imported transcripts (`transcript_requests`), or both: a
 * request both saw (the same `request_id`, or the same `response_id`) is counted once, from the proxy's wire record.
 *
 * @module
 */

/** The report kinds. */
export const USAGE_REPORTS = ["daily", "weekly", "monthly", "session", "model"] as const;
export type UsageReport = typeof USAGE_REPORTS[number];

/** Where the requests come from. */
export const USAGE_SOURCES = ["proxy", "transcripts", "all"] as const;
export type UsageSource = typeof USAGE_SOURCES[number];

/** The `llm_requests` rows that are model turns (not token counts or other API calls): the ones usage counts. */
export const TURN_APIS = "api IN ('messages', 'responses', 'chat_completions')";

const COLUMNS = `ts_start, model, conversation_id, cwd, input_tokens, cache_read_tokens, cache_write_tokens,
  output_tokens, total_tokens, cost_usd`;
const PROXIED = `SELECT ${COLUMNS} FROM llm_requests WHERE ${TURN_APIS}`;
const TRANSCRIBED = `SELECT ${COLUMNS} FROM transcript_requests`;
// A transcript's request the proxy also recorded: the same request id (Claude Code's requestId is the API's
// request-id header), or the same response id (Codex's token_usage_record names the response).
const UNPROXIED = `SELECT ${COLUMNS} FROM transcript_requests t
  ANTI JOIN (SELECT DISTINCT request_id FROM llm_requests WHERE request_id IS NOT NULL) r ON t.request_id = r.request_id
  ANTI JOIN (SELECT DISTINCT response_id FROM llm_requests WHERE response_id IS NOT NULL) s
    ON t.response_id = s.response_id`;

/**
 * The requests a report reads, as a SELECT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(usageSourceSql("all"), /UNION ALL/);
 * assert.match(usageSourceSql("transcripts"), /FROM transcript_requests$/);
 * ```
 */
export function usageSourceSql(source: UsageSource): string {
  if (source === "proxy") return PROXIED;
  if (source === "transcripts") return TRANSCRIBED;
  return `${PROXIED}\nUNION ALL\n${UNPROXIED}`;
}

const KEYS: Record<UsageReport, [name: string, expr: string]> = {
  daily: ["date", "strftime(ts_start, '%Y-%m-%d')"],
  weekly: ["week", "strftime(date_trunc('week', ts_start), '%Y-%m-%d')"],
  monthly: ["month", "strftime(ts_start, '%Y-%m')"],
  session: ["session", "coalesce(conversation_id, '(none)')"],
  model: ["model", "coalesce(model, '(unknown)')"],
};

const MEASURES = `count(*) AS requests,
  sum(input_tokens - coalesce(cache_read_tokens, 0) - coalesce(cache_write_tokens, 0)) AS input_tokens,
  sum(output_tokens) AS output_tokens,
  sum(cache_write_tokens) AS cache_write_tokens,
  sum(cache_read_tokens) AS cache_read_tokens,
  sum(total_tokens) AS total_tokens,
  round(sum(cost_usd), 6) AS cost_usd,
  count(*) FILTER (WHERE cost_usd IS NULL AND total_tokens IS NOT NULL) AS unpriced_requests`;

/**
 * The report's SELECT.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(usageReportSql("monthly", false), /strftime\(ts_start, '%Y-%m'\) AS "month"/);
 * ```
 */
export function usageReportSql(report: UsageReport, breakdown: boolean, from: UsageSource = "all"): string {
  const [key, expr] = KEYS[report];
  const source = usageSourceSql(from);
  const perModel = breakdown && report !== "model";
  const extra = report === "session"
    ? ", strftime(max(ts_start), '%Y-%m-%dT%H:%M:%SZ') AS last_activity, any_value(cwd) AS cwd"
    : "";
  const models = perModel
    ? `coalesce(model, '(unknown)') AS model`
    : report === "model"
    ? ""
    : `string_agg(DISTINCT coalesce(model, '(unknown)'), ', ' ORDER BY coalesce(model, '(unknown)')) AS models`;
  const groupCols = [`${expr} AS "${key}"`, models].filter(Boolean).join(", ");
  const groupBy = perModel ? "2, 3" : "2";
  const totalModels = perModel
    ? "NULL AS model"
    : report === "model"
    ? ""
    : `string_agg(DISTINCT coalesce(model, '(unknown)'), ', ' ORDER BY coalesce(model, '(unknown)')) AS models`;
  const totalExtra = report === "session" ? ", strftime(max(ts_start), '%Y-%m-%dT%H:%M:%SZ'), NULL" : "";
  const totalCols = ["'Total'", totalModels].filter(Boolean).join(", ");
  const order = report === "session" ? "last_activity" : `"${key}"`;
  return `SELECT * EXCLUDE (_total) FROM (
  SELECT 0 AS _total, ${groupCols}, ${MEASURES}${extra} FROM (${source}) GROUP BY ${groupBy}
  UNION ALL
  SELECT 1, ${totalCols}, ${MEASURES}${totalExtra} FROM (${source})
) ORDER BY _total, ${order}${perModel ? ", model" : ""}`;
}
