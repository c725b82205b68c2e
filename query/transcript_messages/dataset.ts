/**
 * The `transcript_messages` dataset: one row per content part of every message of the Claude Code and Codex
 * transcripts `ctvs import` read (`<root>/<gw>/transcripts/<date>.jsonl`, rows made by `query/transcript_rows/`):
 * the columns of `proxy_messages` where they overlap, then the transcript's own fields. Rows are written once each by
 * the import, so the dataset is converted line by line like the OTLP ones.
 *
 * @module
 */
import { type Dataset, defineDataset } from "../dataset.ts";
import { MESSAGE_PART_COLUMNS } from "../proxy_messages/dataset.ts";

/** `transcript_messages`. */
export const TRANSCRIPT_MESSAGES: Dataset = defineDataset(
  {
    name: "transcript_messages",
    signal: "transcripts",
    timestamp: "message_created_at",
    fallbackTimestamps: ["message_created_at", "conversation_started_at"],
  },
  [
    ["schema_version", "INTEGER"],
    ["conversation_id", "VARCHAR"],
    ["provider", "VARCHAR"],
    ["model", "VARCHAR"],
    ["conversation_started_at", "TIMESTAMP"],
    ["conversation_source", "VARCHAR"],
    ["cwd", "VARCHAR"],
    ["git_branch", "VARCHAR"],
    ...MESSAGE_PART_COLUMNS,
    ["uuid", "VARCHAR"],
    ["parent_uuid", "VARCHAR"],
    ["session_id", "VARCHAR"],
    ["version", "VARCHAR"],
    ["request_id", "VARCHAR"],
    ["is_sidechain", "BOOLEAN"],
    ["agent_id", "VARCHAR"],
    ["entry_type", "VARCHAR"],
    ["source_path", "VARCHAR"],
    ["source_offset", "BIGINT"],
  ],
);
