/**
 * The SQL of the usage reports (`ctvs query usage daily|weekly|monthly|session|model`) over `llm_requests`: tokens
 * and cost per period, conversation or model, a Total row last, and with `breakdown` one row per model within each
 * group. Tokens follow ccusage's columns: `input_tokens` here is the uncached input (input minus cache reads and
 * writes), so input + output + cache write + cache read = total. Days and weeks are UTC; weeks start on Monday.
 *
 * @module
 */

/** The report kinds. */
export const USAGE_REPORTS = ["daily", "weekly", "monthly", "session", "model"] as const;
export type UsageReport = typeof USAGE_REPORTS[number];

const KEYS: Record<UsageReport, [name: string, expr: string]> = {
  daily: ["date", "strftime(ts_start, '%Y-%m-%d')"],
  weekly: ["week", "strftime(date_trunc('week', ts_start), '%Y-%m-%d')"],
  monthly: ["month", "strftime(ts_start, '%Y-%m')"],
  session: ["session", "coalesce(conversation_id, '(none)')"],
  model: ["model", "coalesce(model, '(unknown)')"],
};

/** The `llm_requests` rows that are model turns (not token counts or other API calls): the ones usage counts. */
export const TURN_APIS = "api IN ('messages', 'responses', 'chat_completions')";

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
export function usageReportSql(report: UsageReport, breakdown: boolean): string {
  const [key, expr] = KEYS[report];
  const source = `SELECT * FROM llm_requests WHERE ${TURN_APIS}`;
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
