/**
 * The `proxy_messages` dataset: one row per content part of every message of the proxied conversations, derived
 * from a gateway's proxy day file (reference §6.2: 26 data columns, `gateway_id` first and `date` last).
 *
 * @module
 */
import { type ColumnType, type Dataset, defineDataset } from "../dataset.ts";

/**
 * The columns of one part of one message, from `message_id` to `attributes`: what every dataset of message parts
 * (`transcript_messages` too) has, in this order.
 */
export const MESSAGE_PART_COLUMNS: readonly [string, ColumnType][] = [
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
];

/** `proxy_messages`. */
export const PROXY_MESSAGES: Dataset = defineDataset(
  {
    name: "proxy_messages",
    signal: "proxy",
    timestamp: "message_created_at",
    fallbackTimestamps: ["message_created_at", "conversation_started_at"],
    // The walker is loaded when a day is derived, not by every query that names the dataset.
    derive: { version: 2, run: async (...args) => (await import("./derive.ts")).deriveProxyMessages(...args) },
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
    ...MESSAGE_PART_COLUMNS,
  ],
);
