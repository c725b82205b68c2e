/**
 * The `llm_requests` dataset: one row per proxied exchange, with normalized tokens and cost (see `tokens.ts` for the
 * token convention and `../pricing.ts` for the price table).
 *
 * @module
 */
import { type ColumnType, type Dataset, defineDataset } from "../dataset.ts";

/**
 * The tokens and cost of one request, from `input_tokens` to `price_version` (see `tokens.ts` for the convention):
 * what every dataset of requests (`transcript_requests` too) has, in this order.
 */
export const USAGE_COLUMNS: readonly [string, ColumnType][] = [
  ["input_tokens", "BIGINT"],
  ["cache_read_tokens", "BIGINT"],
  ["cache_write_tokens", "BIGINT"],
  ["output_tokens", "BIGINT"],
  ["reasoning_tokens", "BIGINT"],
  ["total_tokens", "BIGINT"],
  ["cost_usd", "DOUBLE"],
  ["price_model", "VARCHAR"],
  ["price_version", "VARCHAR"],
];

/** `llm_requests`. */
export const LLM_REQUESTS: Dataset = defineDataset(
  {
    name: "llm_requests",
    signal: "proxy",
    timestamp: "ts_start",
    fallbackTimestamps: ["ts_start", "ts_end"],
    // The price table and the walk are loaded when a day is derived, not by every query that names the dataset.
    derive: {
      version: 3,
      run: async (...args) => (await import("./derive.ts")).deriveLlmRequests(...args),
    },
  },
  [
    ["exchange_id", "VARCHAR"],
    ["ts_start", "TIMESTAMP"],
    ["ts_end", "TIMESTAMP"],
    ["provider", "VARCHAR"],
    ["api", "VARCHAR"],
    ["upstream", "VARCHAR"],
    ["request_path", "VARCHAR"],
    ["model", "VARCHAR"],
    ["response_model", "VARCHAR"],
    ["conversation_id", "VARCHAR"],
    ["conversation_source", "VARCHAR"],
    ["cwd", "VARCHAR"],
    ["git_branch", "VARCHAR"],
    ["stream", "BOOLEAN"],
    ["status", "INTEGER"],
    ["error", "VARCHAR"],
    ["finish_reason", "VARCHAR"],
    ["latency_ms", "BIGINT"],
    ["ttft_ms", "BIGINT"],
    ...USAGE_COLUMNS,
    ["request_id", "VARCHAR"],
    ["response_id", "VARCHAR"],
  ],
);
