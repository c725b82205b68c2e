/**
 * Rebuilds the answer of an OpenAI stream from its recorded events: the Responses API's semantic `response.*`
 * events (anchors §5b; the terminal event carries the whole response), and Chat Completions' `chat.completion.chunk`
 * lines up to `[DONE]` (anchors §5c).
 *
 * @module
 */
import type { StreamEvent } from "./bundles.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** What a Responses stream said. */
export interface ResponsesStream {
  /** The output items (from the terminal event, else the items done and in progress). */
  output: Json[];
  /** `completed`, `incomplete`, `failed`, or null when the stream ended without a terminal event. */
  status: string | null;
  response: Json | null;
  usage: Json | null;
  error: Json | null;
  firstContentMs: number | null;
}

function parse(data: string): Json {
  try {
    return JSON.parse(data);
  } catch {
    return undefined;
  }
}

const CONTENT_EVENTS =
  /^response\.(output_text|refusal|function_call_arguments|reasoning_summary_text|reasoning_text|output_item\.added|custom_tool_call_input)/;

/**
 * Replays Responses API events.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ev = (data: object) => ({ event: "x", data: JSON.stringify(data) });
 * const s = reconstructResponses([
 *   ev({ type: "response.output_item.added", output_index: 0, item: { type: "message", role: "assistant", content: [] } }),
 *   ev({ type: "response.output_text.delta", output_index: 0, content_index: 0, delta: "Hi" }),
 * ]);
 * assert.equal(s.status, null);
 * assert.deepEqual(s.output, [{ type: "message", role: "assistant", content: [{ type: "output_text", text: "Hi" }] }]);
 * ```
 */
export function reconstructResponses(events: StreamEvent[]): ResponsesStream {
  const out: ResponsesStream = {
    output: [],
    status: null,
    response: null,
    usage: null,
    error: null,
    firstContentMs: null,
  };
  const items = new Map<number, Json>();
  for (const { data, t_ms } of events) {
    const e = parse(data);
    if (!e || typeof e !== "object" || typeof e.type !== "string") continue;
    if (CONTENT_EVENTS.test(e.type)) out.firstContentMs ??= typeof t_ms === "number" ? t_ms : null;
    const i = e.output_index;
    switch (e.type) {
      case "response.output_item.added":
      case "response.output_item.done":
        items.set(i, structuredClone(e.item ?? {}));
        break;
      case "response.output_text.delta":
      case "response.refusal.delta": {
        const item = items.get(i);
        if (!item) break;
        item.content ??= [];
        const type = e.type === "response.refusal.delta" ? "refusal" : "output_text";
        const slot = item.content[e.content_index ?? 0] ??= type === "refusal"
          ? { type, refusal: "" }
          : { type, text: "" };
        if (type === "refusal") slot.refusal = (slot.refusal ?? "") + (e.delta ?? "");
        else slot.text = (slot.text ?? "") + (e.delta ?? "");
        break;
      }
      case "response.function_call_arguments.delta": {
        const item = items.get(i);
        if (item) item.arguments = (item.arguments ?? "") + (e.delta ?? "");
        break;
      }
      case "response.function_call_arguments.done": {
        const item = items.get(i);
        if (item) item.arguments = e.arguments;
        break;
      }
      case "response.reasoning_summary_text.delta": {
        const item = items.get(i);
        if (!item) break;
        item.summary ??= [];
        const slot = item.summary[e.summary_index ?? 0] ??= { type: "summary_text", text: "" };
        slot.text += e.delta ?? "";
        break;
      }
      case "response.completed":
      case "response.incomplete":
      case "response.failed":
        out.status = e.type.slice("response.".length);
        out.response = e.response ?? null;
        out.usage = e.response?.usage ?? null;
        if (e.type === "response.failed") out.error = e.response?.error ?? null;
        break;
      case "error":
        out.error = e.error ?? e;
        break;
    }
  }
  const final = out.response?.output;
  out.output = Array.isArray(final) && final.length
    ? final
    : [...items.entries()].sort(([a], [b]) => a - b).map(([, v]) => v);
  return out;
}

/** What a Chat Completions stream said. */
export interface ChatStream {
  /** The assistant message (content, tool_calls, refusal), or null when no chunk came. */
  message: Json | null;
  finishReason: string | null;
  usage: Json | null;
  model: string | null;
  /** The completion id (`chatcmpl-...`) the chunks carry. */
  id: string | null;
  done: boolean;
  error: Json | null;
  firstContentMs: number | null;
}

/**
 * Replays Chat Completions chunks (choice 0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ev = (data: unknown) => ({ event: "message", data: typeof data === "string" ? data : JSON.stringify(data) });
 * const s = reconstructChat([
 *   ev({ choices: [{ index: 0, delta: { role: "assistant", content: "Hel" } }] }),
 *   ev({ choices: [{ index: 0, delta: { content: "lo" }, finish_reason: "stop" }] }),
 *   ev("[DONE]"),
 * ]);
 * assert.deepEqual([s.message.content, s.finishReason, s.done, s.usage], ["Hello", "stop", true, null]);
 * ```
 */
export function reconstructChat(events: StreamEvent[]): ChatStream {
  const out: ChatStream = {
    message: null,
    finishReason: null,
    usage: null,
    model: null,
    id: null,
    done: false,
    error: null,
    firstContentMs: null,
  };
  const calls = new Map<number, Json>();
  for (const { data, t_ms } of events) {
    if (data.trim() === "[DONE]") {
      out.done = true;
      continue;
    }
    const e = parse(data);
    if (!e || typeof e !== "object") continue;
    if (e.error) out.error = e.error;
    if (typeof e.model === "string") out.model = e.model;
    if (typeof e.id === "string") out.id ??= e.id;
    if (e.usage) out.usage = e.usage;
    const choice = Array.isArray(e.choices) ? e.choices.find((c: Json) => (c?.index ?? 0) === 0) : undefined;
    if (!choice) continue;
    out.message ??= { role: "assistant", content: null };
    const delta = choice.delta ?? {};
    if (typeof delta.content === "string" && delta.content !== "") {
      out.firstContentMs ??= typeof t_ms === "number" ? t_ms : null;
      out.message.content = (out.message.content ?? "") + delta.content;
    }
    if (typeof delta.refusal === "string") out.message.refusal = (out.message.refusal ?? "") + delta.refusal;
    for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
      out.firstContentMs ??= typeof t_ms === "number" ? t_ms : null;
      const slot = calls.get(call.index ?? 0) ?? { type: "function", function: { name: "", arguments: "" } };
      if (call.id) slot.id = call.id;
      if (call.function?.name) slot.function.name += call.function.name;
      if (call.function?.arguments) slot.function.arguments += call.function.arguments;
      calls.set(call.index ?? 0, slot);
    }
    if (choice.finish_reason) out.finishReason = choice.finish_reason;
  }
  if (out.message && calls.size) {
    out.message.tool_calls = [...calls.entries()].sort(([a], [b]) => a - b).map(([, c]) => c);
  }
  return out;
}
