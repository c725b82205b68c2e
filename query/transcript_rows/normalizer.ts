/**
 * The normalizer of either client, chosen by name: what a reader of lines from several kinds of transcripts (the
 * importer, a supervisor's stream) holds per transcript.
 *
 * @module
 */
import { ClaudeCodeNormalizer, type ClaudeCodeState, ignorableClaudeCodeLine } from "./claude_code.ts";
import { CodexNormalizer, type CodexState, ignorableCodexLine } from "./codex.ts";
import type { LineContext, NormalizedLine, TranscriptSource } from "./rows.ts";

/** What both normalizers do. */
export interface TranscriptNormalizer {
  /** The rows of one parsed line. */
  line(raw: unknown, context?: LineContext): NormalizedLine;
  /** The state to save to go on later from the next line (plain JSON). */
  readonly state: ClaudeCodeState | CodexState;
}

/**
 * A normalizer for a transcript written by `source`, new or from a saved state.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const n = transcriptNormalizer("claude_code");
 * const rows = n.line({ type: "user", uuid: "u1", sessionId: "s1", message: { role: "user", content: "hi" } });
 * assert.deepEqual(rows.parts.map((p) => [p.role, p.content_text, p.conversation_id]), [["user", "hi", "s1"]]);
 * ```
 */
export function transcriptNormalizer(source: TranscriptSource, state?: unknown): TranscriptNormalizer {
  return source === "claude_code"
    ? new ClaudeCodeNormalizer(state as ClaudeCodeState | undefined)
    : new CodexNormalizer(state as CodexState | undefined);
}

/**
 * Whether a line's text (of a transcript written by `source`) is one the normalizer gives nothing for, known without
 * parsing it: a reader of many lines may skip those (snapshots, UI events). False when unsure.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(ignorableLine("claude_code", '{"type":"queue-operation","operation":"enqueue"}'), true);
 * assert.equal(ignorableLine("codex", '{"type":"queue-operation","operation":"enqueue"}'), false);
 * ```
 */
export function ignorableLine(source: TranscriptSource, text: string): boolean {
  return source === "claude_code" ? ignorableClaudeCodeLine(text) : ignorableCodexLine(text);
}
