/**
 * Rebuilds the assistant message of an Anthropic Messages SSE stream from its recorded events (reference §6.3):
 * `message_start` seeds it, content blocks are filled from their deltas, `message_delta` sets the stop reason and
 * merges the (cumulative) usage. Without `message_start` there is no message.
 *
 * @module
 */
import type { StreamEvent } from "./bundles.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** What the stream said beyond the message: whether it ended and whether usage was final. */
export interface AnthropicStream {
  message: Json | null;
  /** `message_stop` arrived. */
  stopped: boolean;
  /** A `message_delta` carried usage (the final, cumulative counts). */
  finalUsage: boolean;
  /** The `error` event's error object, if one came. */
  error: Json | null;
  /** `t_ms` of the first content block event (time to first token). */
  firstContentMs: number | null;
}

function scaffold(deltaType: string): Json {
  if (deltaType === "input_json_delta") return { type: "tool_use", input: {} };
  if (deltaType === "thinking_delta" || deltaType === "signature_delta") return { type: "thinking", thinking: "" };
  return { type: "text", text: "" };
}

/**
 * Replays `events` into the assistant message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ev = (data: object) => ({ event: "x", data: JSON.stringify(data) });
 * const s = reconstructAnthropic([
 *   ev({ type: "message_start", message: { id: "m", model: "c", usage: { input_tokens: 5, output_tokens: 1 } } }),
 *   ev({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
 *   ev({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Hi" } }),
 *   ev({ type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: 7 } }),
 *   ev({ type: "message_stop" }),
 * ]);
 * assert.deepEqual(s.message.content, [{ type: "text", text: "Hi" }]);
 * assert.deepEqual(s.message.usage, { input_tokens: 5, output_tokens: 7 });
 * ```
 */
export function reconstructAnthropic(events: StreamEvent[]): AnthropicStream {
  let message: Json | null = null;
  const blocks = new Map<number, Json>();
  const partial = new Map<number, string>();
  const out: AnthropicStream = { message: null, stopped: false, finalUsage: false, error: null, firstContentMs: null };
  let sawStop = false;
  for (const { data, t_ms } of events) {
    let e: Json;
    try {
      e = JSON.parse(data);
    } catch {
      continue;
    }
    if (!e || typeof e !== "object") continue;
    switch (e.type) {
      case "message_start": {
        const m = e.message ?? {};
        message = {
          role: "assistant",
          type: "message",
          content: [],
          id: m.id,
          model: m.model,
          stop_reason: m.stop_reason ?? null,
          stop_sequence: m.stop_sequence ?? null,
          usage: m.usage ? { ...m.usage } : undefined,
        };
        if (m.stop_reason) sawStop = true;
        break;
      }
      case "content_block_start": {
        out.firstContentMs ??= typeof t_ms === "number" ? t_ms : null;
        const block = { ...(e.content_block ?? {}) };
        blocks.set(e.index, block);
        if (block.type === "tool_use" || block.type === "server_tool_use") partial.set(e.index, "");
        break;
      }
      case "content_block_delta": {
        out.firstContentMs ??= typeof t_ms === "number" ? t_ms : null;
        const delta = e.delta ?? {};
        let block = blocks.get(e.index);
        if (!block) {
          blocks.set(e.index, block = scaffold(delta.type));
          if (delta.type === "input_json_delta") partial.set(e.index, "");
        }
        if (delta.type === "text_delta") block.text = (block.text ?? "") + (delta.text ?? "");
        else if (delta.type === "input_json_delta") {
          partial.set(e.index, (partial.get(e.index) ?? "") + (delta.partial_json ?? ""));
        } else if (delta.type === "thinking_delta") block.thinking = (block.thinking ?? "") + (delta.thinking ?? "");
        else if (delta.type === "signature_delta") block.signature = delta.signature;
        break;
      }
      case "content_block_stop": {
        const block = blocks.get(e.index);
        const buffer = partial.get(e.index);
        if (block && buffer !== undefined && buffer !== "") {
          try {
            block.input = JSON.parse(buffer);
          } catch {
            block.input = buffer;
          }
        }
        partial.delete(e.index);
        break;
      }
      case "message_delta": {
        if (!message) break;
        if (e.delta?.stop_reason !== undefined) {
          message.stop_reason = e.delta.stop_reason;
          if (e.delta.stop_reason) sawStop = true;
        }
        if (e.delta?.stop_sequence !== undefined) message.stop_sequence = e.delta.stop_sequence;
        if (e.usage) {
          // Cumulative counts: the last value wins, never a sum (anchors §5a).
          message.usage = { ...(message.usage ?? {}), ...e.usage };
          out.finalUsage = true;
        }
        break;
      }
      case "message_stop":
        out.stopped = true;
        break;
      case "error":
        out.error = e.error ?? e;
        break;
    }
  }
  if (!message) return out;
  // Blocks whose input buffer never saw a stop keep what arrived.
  for (const [index, buffer] of partial) {
    const block = blocks.get(index);
    if (block && buffer) {
      try {
        block.input = JSON.parse(buffer);
      } catch {
        block.input = buffer;
      }
    }
  }
  message.content = [...blocks.entries()].sort(([a], [b]) => a - b).map(([, b]) => b);
  if (!out.stopped && !sawStop) message.stop_reason = "error";
  out.message = message;
  return out;
}
