/**
 * The `proxy_messages` dataset: one row per content part of every message of the proxied conversations, derived
 * from a gateway's proxy day file (reference §6.2: 26 data columns, `gateway_id` first and `date` last).
 *
 * @module
 */
import { type Dataset, defineDataset } from "../dataset.ts";
import type { Db } from "../duckdb.ts";
import { readBundles } from "./bundles.ts";
import { JsonlWriter } from "./jsonl_writer.ts";
import { priorSeen } from "./prior_seen.ts";
import { TranscriptLookup } from "../transcripts.ts";
import { MessageWalker, readExchange } from "./walker.ts";

/**
 * Walks the day in `input` into `proxy_messages` rows (JSONL at `output`), after the earlier days' ids; a Claude Code
 * exchange whose hook context lacks `cwd` or `git_branch` reads its session's transcript.
 */
export async function deriveProxyMessages(
  db: Db,
  input: string,
  output: string,
  partition: { date: string; dir: string },
): Promise<{ rows: number; maxLineBytes: number }> {
  const transcripts = new TranscriptLookup();
  const walker = new MessageWalker({
    priorSeen: await priorSeen(db, partition.dir, partition.date),
    transcript: (session, at) => transcripts.entry(session, at),
  });
  const writer = await JsonlWriter.create(output);
  try {
    for await (const bundle of readBundles(input)) {
      const read = readExchange(bundle);
      if (!read) continue;
      if (read.transcriptSession) await transcripts.load(read.transcriptSession);
      for (const line of walker.lines(read)) await writer.writeLine(line);
    }
  } finally {
    await writer.close();
  }
  return { rows: writer.count, maxLineBytes: writer.maxLineBytes };
}

/** `proxy_messages`. */
export const PROXY_MESSAGES: Dataset = defineDataset(
  {
    name: "proxy_messages",
    signal: "proxy",
    timestamp: "message_created_at",
    fallbackTimestamps: ["message_created_at", "conversation_started_at"],
    derive: { version: 2, run: deriveProxyMessages },
  },
  [
    ["schema_version", "INTEGER"],
    ["conversation_id", "VARCHAR"],
    ["user_id", "VARCHAR"],
    ["provider", "VARCHAR"],
    ["model", "VARCHAR"],
    ["system_text", "VARCHAR"],
    ["tools", "JSON"],
    ["conversation_started_at", "TIMESTAMP"],
    ["conversation_source", "VARCHAR"],
    ["cwd", "VARCHAR"],
    ["git_branch", "VARCHAR"],
    ["message_id", "VARCHAR"],
    ["previous_message_id", "VARCHAR"],
    ["message_index", "INTEGER"],
    ["message_created_at", "TIMESTAMP"],
    ["role", "VARCHAR"],
    ["part_id", "VARCHAR"],
    ["part_index", "INTEGER"],
    ["part_type", "VARCHAR"],
    ["content_text", "VARCHAR"],
    ["tool_name", "VARCHAR"],
    ["tool_call_id", "VARCHAR"],
    ["tool_args", "JSON"],
    ["thinking_signature", "VARCHAR"],
    ["status", "JSON"],
    ["attributes", "JSON"],
  ],
);
