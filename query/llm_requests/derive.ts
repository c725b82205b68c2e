/**
 * The `llm_requests` derivation of one gateway's day: one row per exchange, in order. Loaded only when a day is
 * derived (`dataset.ts` imports it on demand), so a query of a cached day does not load the price table.
 *
 * @module
 */
import type { DerivedRows } from "../dataset.ts";
import { readBundles } from "../proxy_messages/bundles.ts";
import { contextOf } from "../proxy_messages/context.ts";
import { JsonlWriter } from "../proxy_messages/jsonl_writer.ts";
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
  partition: { end?: number } = {},
): Promise<DerivedRows> {
  const transcripts = new TranscriptLookup();
  const writer = await JsonlWriter.create(output);
  try {
    for await (const bundle of readBundles(input, { end: partition.end })) {
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
  return { files: writer.files, rows: writer.count, maxLineBytes: writer.maxLineBytes };
}
