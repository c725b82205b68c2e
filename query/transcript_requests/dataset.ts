/**
 * The `transcript_requests` dataset: one row per LLM request the imported transcripts saw, with tokens and cost, the
 * columns of `llm_requests` where they overlap. Derived from the usage observations `ctvs import` wrote
 * (`<root>/<gw>/transcript_usage/<date>.jsonl`): each request once, however many lines repeated its usage.
 *
 * @module
 */
import { type Dataset, defineDataset } from "../dataset.ts";
import { USAGE_COLUMNS } from "../llm_requests/dataset.ts";

/** `transcript_requests`. */
export const TRANSCRIPT_REQUESTS: Dataset = defineDataset(
  {
    name: "transcript_requests",
    signal: "transcript_usage",
    timestamp: "ts_start",
    fallbackTimestamps: ["ts_start"],
    // The price table is loaded when a day is derived, not by every query that names the dataset.
    derive: { version: 1, run: async (...args) => (await import("./derive.ts")).deriveTranscriptRequests(...args) },
  },
  [
    ["ts_start", "TIMESTAMP"],
    ["provider", "VARCHAR"],
    ["api", "VARCHAR"],
    ["model", "VARCHAR"],
    ["conversation_id", "VARCHAR"],
    ["conversation_source", "VARCHAR"],
    ["cwd", "VARCHAR"],
    ["git_branch", "VARCHAR"],
    ["finish_reason", "VARCHAR"],
    ...USAGE_COLUMNS,
    ["request_id", "VARCHAR"],
    ["response_id", "VARCHAR"],
    ["usage_key", "VARCHAR"],
    ["observations", "INTEGER"],
    ["session_id", "VARCHAR"],
    ["agent_id", "VARCHAR"],
    ["is_sidechain", "BOOLEAN"],
    ["version", "VARCHAR"],
    ["source_path", "VARCHAR"],
  ],
);
