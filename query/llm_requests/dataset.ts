/**
 * The `llm_requests` dataset: one row per proxied exchange, with normalized tokens and cost (see `tokens.ts` for the
 * token convention and `../pricing.ts` for the price table).
 *
 * @module
 */
import { type Dataset, defineDataset } from "../dataset.ts";
import { readBundles } from "../proxy_messages/bundles.ts";
import { JsonlWriter } from "../proxy_messages/jsonl_writer.ts";
import { contextOf } from "../proxy_messages/context.ts";
import { apiOf, providerOf, requestBody } from "../proxy_messages/wire.ts";
import { TranscriptLookup, transcriptSessionOf } from "../transcripts.ts";
import { requestRow } from "./request_row.ts";

/**
 * Writes the `llm_requests` rows of the day in `input` as JSONL to `output`; `cwd` and `git_branch` missing from a
 * Claude Code exchange's hook context come from its session's transcript, as in `proxy_messages`.
 */
export async function deriveLlmRequests(
  _db: unknown,
  input: string,
  output: string,
): Promise<{ rows: number; maxLineBytes: number }> {
  const transcripts = new TranscriptLookup();
  const writer = await JsonlWriter.create(output);
  try {
    for await (const bundle of readBundles(input)) {
      const body = requestBody(bundle);
      const session = providerOf(apiOf(bundle.exchange.request?.path)) !== "openai"
        ? transcriptSessionOf(bundle.exchange, body, contextOf(bundle.exchange, body))
        : undefined;
      if (session) await transcripts.load(session);
      const entry = session ? transcripts.entry(session, String(bundle.exchange.ts_start ?? "")) : undefined;
      await writer.write(requestRow(bundle, body, entry));
    }
  } finally {
    await writer.close();
  }
  return { rows: writer.count, maxLineBytes: writer.maxLineBytes };
}

/** `llm_requests`. */
export const LLM_REQUESTS: Dataset = defineDataset(
  {
    name: "llm_requests",
    signal: "proxy",
    timestamp: "ts_start",
    fallbackTimestamps: ["ts_start", "ts_end"],
    derive: { version: 2, run: deriveLlmRequests },
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
    ["input_tokens", "BIGINT"],
    ["cache_read_tokens", "BIGINT"],
    ["cache_write_tokens", "BIGINT"],
    ["output_tokens", "BIGINT"],
    ["reasoning_tokens", "BIGINT"],
    ["total_tokens", "BIGINT"],
    ["cost_usd", "DOUBLE"],
    ["price_model", "VARCHAR"],
    ["price_version", "VARCHAR"],
    ["request_id", "VARCHAR"],
  ],
);
