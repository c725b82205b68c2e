/**
 * Claude Code transcript lines and Codex rollout lines normalized to plain rows, whatever they were read from (a file
 * with byte cursors: `ctvs import`; a live stream of lines: a supervisor's). Give a normalizer each parsed line of
 * one transcript in order; it returns
 *
 * - `parts`: one {@linkcode TranscriptPartRow} per content block (text, reasoning, tool call, tool result, image...),
 *   the grain and columns of `proxy_messages` where they overlap, plus the transcript's own fields (`uuid`,
 *   `parent_uuid`, `session_id`, `version`, `request_id`, `is_sidechain`, `agent_id`);
 * - `usage`: a {@linkcode TranscriptUsageRow} where the line reports token usage. Several may share a `usage_key`
 *   (Claude Code repeats an answer's usage on each of its lines): count a key once, with its largest output.
 *
 * `ignorableLine` tells, from a line's text alone, the lines a normalizer gives nothing for (snapshots, UI events), so
 * a reader of many lines may skip parsing them. A normalizer keeps a little state between lines (the message a line continues, open tool calls, Codex's running
 * token totals); `state` is plain JSON, and a normalizer built from it goes on from the next line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { transcriptNormalizer } from "./mod.ts";
 * const codex = transcriptNormalizer("codex");
 * codex.line({ type: "session_meta", payload: { id: "s1" } });
 * const { parts } = codex.line({ type: "response_item",
 *   payload: { type: "message", id: "m1", role: "user", content: [{ type: "input_text", text: "hi" }] } });
 * assert.deepEqual(parts.map((p) => [p.conversation_id, p.role, p.part_type, p.content_text]), [["s1", "user", "text", "hi"]]);
 * ```
 *
 * @module
 */
export { ClaudeCodeNormalizer, type ClaudeCodeState, initialClaudeCodeState, SYNTHETIC_MODEL } from "./claude_code.ts";
export { CodexNormalizer, type CodexState, initialCodexState } from "./codex.ts";
export { ignorableLine, type TranscriptNormalizer, transcriptNormalizer } from "./normalizer.ts";
export type { LineContext, NormalizedLine, TranscriptPartRow, TranscriptSource, TranscriptUsageRow } from "./rows.ts";
