/**
 * The Gas City datasets (reference §11): `gascity_messages`, one row per content block of the agents' transcripts
 * with the agent identity, usage and cost; `gascity_events`, one row per city event. Both read the JSONL the
 * gascity listener writes (`<root>/<gateway_id>/gascity_messages|gascity_events/<date>.jsonl`) and keep one row per
 * `row_id` / `event_id`, so a write repeated after a crash is not counted twice.
 *
 * @module
 */
import { type Dataset, defineDataset } from "../dataset.ts";

/** The version of the `gascity_messages` row shape (written in `schema_version`). */
export const GASCITY_MESSAGES_SCHEMA_VERSION = 1;

/** `gascity_messages`. */
export const GASCITY_MESSAGES: Dataset = defineDataset(
  {
    name: "gascity_messages",
    signal: "gascity_messages",
    timestamp: "message_created_at",
    fallbackTimestamps: ["message_created_at", "conversation_started_at"],
    uniqueKey: "row_id",
  },
  [
    // identity
    ["schema_version", "INTEGER"],
    ["city", "VARCHAR"],
    ["gascity_session_id", "VARCHAR"],
    ["gascity_template", "VARCHAR"],
    ["gascity_rig", "VARCHAR"],
    ["gascity_alias", "VARCHAR"],
    ["provider", "VARCHAR"],
    ["provider_session_id", "VARCHAR"],
    // frame
    ["provider_uuid", "VARCHAR"],
    ["message_id", "VARCHAR"],
    ["role", "VARCHAR"],
    ["part_index", "INTEGER"],
    ["part_type", "VARCHAR"],
    // the line's outer fields
    ["cwd", "VARCHAR"],
    ["git_branch", "VARCHAR"],
    ["permission_mode", "VARCHAR"],
    ["is_sidechain", "BOOLEAN"],
    ["entrypoint", "VARCHAR"],
    ["client_version", "VARCHAR"],
    ["prompt_id", "VARCHAR"],
    ["request_id", "VARCHAR"],
    ["parent_uuid", "VARCHAR"],
    ["source_tool_assistant_uuid", "VARCHAR"],
    ["message_created_at", "TIMESTAMP"],
    ["conversation_started_at", "TIMESTAMP"],
    // the assistant message's fields
    ["model", "VARCHAR"],
    ["stop_reason", "VARCHAR"],
    ["stop_details", "JSON"],
    ["input_tokens", "BIGINT"],
    ["output_tokens", "BIGINT"],
    ["cache_creation_input_tokens", "BIGINT"],
    ["cache_read_input_tokens", "BIGINT"],
    ["ephemeral_1h_input_tokens", "BIGINT"],
    ["ephemeral_5m_input_tokens", "BIGINT"],
    ["service_tier", "VARCHAR"],
    ["inference_geo", "VARCHAR"],
    ["speed", "VARCHAR"],
    // cost, as llm_requests computes it; on one row per request (see docs/gascity.md)
    ["cost_usd", "DOUBLE"],
    ["price_model", "VARCHAR"],
    ["price_version", "VARCHAR"],
    // the content block
    ["content_text", "VARCHAR"],
    ["thinking_signature", "VARCHAR"],
    ["tool_name", "VARCHAR"],
    ["tool_call_id", "VARCHAR"],
    ["tool_args", "JSON"],
    ["caller_type", "VARCHAR"],
    ["tool_result_for", "VARCHAR"],
    ["is_error", "BOOLEAN"],
    ["attachment_type", "VARCHAR"],
    ["hook_event", "VARCHAR"],
    // overflow
    ["attributes", "JSON"],
    ["raw_frame", "JSON"],
    ["row_id", "VARCHAR"],
  ],
);

/** `gascity_events`. */
export const GASCITY_EVENTS: Dataset = defineDataset(
  {
    name: "gascity_events",
    signal: "gascity_events",
    timestamp: "ts",
    fallbackTimestamps: ["ts"],
    uniqueKey: "event_id",
  },
  [
    ["event_scope", "VARCHAR"],
    ["city", "VARCHAR"],
    ["supervisor_url", "VARCHAR"],
    ["seq", "BIGINT"],
    ["event_id", "VARCHAR"],
    ["type", "VARCHAR"],
    ["ts", "TIMESTAMP"],
    ["actor", "VARCHAR"],
    ["subject", "VARCHAR"],
    ["message", "VARCHAR"],
    ["payload", "JSON"],
    ["raw_event", "JSON"],
  ],
);
