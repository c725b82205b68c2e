/**
 * What the Claude Code and Codex normalizers share: the state a transcript's next line needs, saved between imports
 * with the tool calls still open in it, and the naming of each tool result after the call it answers.
 *
 * @module
 */
import type { Part } from "../proxy_messages/turn.ts";
import { type LineContext, type NormalizedLine, NOTHING } from "./rows.ts";
import { ToolNames } from "./tool_names.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** A normalizer's saved state: plain JSON, with the open tool calls as {@linkcode ToolNames.toJSON} gives them. */
export interface LineState {
  openCalls: [string, string][];
}

/** A normalizer of one transcript's lines, going on from a saved state; subclasses read one kind of line. */
export abstract class LineNormalizer<S extends LineState> {
  /** The state after the lines given so far (its `openCalls` as they were at the start: see {@linkcode state}). */
  protected readonly saved: S;
  readonly #calls: ToolNames;

  /** Goes on from `state`. */
  constructor(state: S) {
    this.saved = { ...state };
    this.#calls = new ToolNames(state.openCalls);
  }

  /** The state after the lines given so far (JSON). */
  get state(): S {
    return { ...this.saved, openCalls: this.#calls.toJSON() };
  }

  /** The rows of one parsed line; a line that is not an object gives nothing. */
  line(raw: Json, context: LineContext = {}): NormalizedLine {
    if (!raw || typeof raw !== "object") return NOTHING;
    return this.object(raw, context);
  }

  /** The rows of one line that is an object. */
  protected abstract object(raw: Json, context: LineContext): NormalizedLine;

  /** Remembers the tool calls among `parts`, and names each tool result among them after the call it answers. */
  protected nameToolResults(parts: Part[]): void {
    for (const p of parts) {
      if (p.part_type === "tool_call") this.#calls.remember(p.tool_call_id, p.tool_name);
      else if (p.lookupTool) p.tool_name = this.#calls.take(p.tool_call_id);
    }
  }
}
