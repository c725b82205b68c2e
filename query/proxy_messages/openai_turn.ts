/**
 * OpenAI exchanges reduced to a {@link Turn}: the Responses API (Codex: one message per input or output item,
 * reasoning, function calls and their outputs) and Chat Completions (messages, tool_calls, streamed chunks). Message
 * ids hash the mapped parts, so an item keeps its id when a client sends it back with other bookkeeping fields.
 *
 * @module
 */
import type { Bundle } from "./bundles.ts";
import { canonicalJson, shortHash } from "./canonical_json.ts";
import { reconstructChat, reconstructResponses } from "./openai_stream.ts";
import { compact, type Message, type Part, part, str, type Turn } from "./turn.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

function args(text: unknown): unknown {
  if (typeof text !== "string") return text ?? null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function textOf(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return null;
  return content.map((c) => typeof c === "string" ? c : c?.text).filter((t) => typeof t === "string").join("\n");
}

/** Maps one content part of a message (Responses or Chat). */
function contentPart(c: Json): Part {
  const type = typeof c === "string" ? "text" : c?.type;
  if (typeof c === "string") return part("text", { content_text: c });
  if (type === "input_text" || type === "output_text" || type === "text" || type === "summary_text") {
    return part("text", { content_text: str(c.text) });
  }
  if (type === "refusal") return part("refusal", { content_text: str(c.refusal) });
  if (type === "input_image" || type === "image_url") return part("image");
  if (type === "input_file" || type === "file") return part("file");
  if (type === "input_audio") return part("audio");
  return part(typeof type === "string" && type ? type : "text", { content_text: str(c?.text) });
}

function contentParts(content: unknown): Part[] {
  if (typeof content === "string") return content === "" ? [] : [part("text", { content_text: content })];
  return Array.isArray(content) ? content.map(contentPart) : [];
}

/** Maps one Responses item (an input item, an output item, a Codex rollout `response_item`) to its role and parts. */
export function responsesItem(item: Json): { role: string; parts: Part[] } | undefined {
  const type = item?.type ?? (item?.role ? "message" : undefined);
  switch (type) {
    case "message":
      return typeof item.role === "string" ? { role: item.role, parts: contentParts(item.content) } : undefined;
    case "function_call":
    case "custom_tool_call":
      return {
        role: "assistant",
        parts: [
          part("tool_call", {
            tool_name: str(item.name),
            tool_call_id: str(item.call_id),
            // A function call's arguments are a JSON string; a custom tool's input is free text.
            tool_args: type === "function_call" ? args(item.arguments) : item.input ?? null,
          }),
        ],
      };
    case "local_shell_call":
    case "web_search_call":
      return {
        role: "assistant",
        parts: [part("tool_call", {
          tool_name: type === "local_shell_call" ? "local_shell" : "web_search",
          tool_call_id: str(item.call_id) ?? str(item.id),
          tool_args: item.action ?? null,
        })],
      };
    case "function_call_output":
    case "custom_tool_call_output":
    case "local_shell_call_output":
      return {
        role: "tool",
        parts: [
          part("tool_result", { content_text: textOf(item.output), tool_call_id: str(item.call_id), lookupTool: true }),
        ],
      };
    case "reasoning": {
      const summary = Array.isArray(item.summary) ? item.summary : [];
      const text = [...summary, ...(Array.isArray(item.content) ? item.content : [])]
        .map((s: Json) => s?.text).filter((t: unknown) => typeof t === "string").join("\n\n");
      return { role: "assistant", parts: [part("reasoning", { content_text: text === "" ? null : text })] };
    }
    default:
      return typeof type === "string" ? { role: "assistant", parts: [part(type)] } : undefined;
  }
}

function toMessage(mapped: { role: string; parts: Part[] }): Message {
  const hashContent = mapped.parts.map(({ lookupTool: _, status: __, ...p }) => p);
  return { role: mapped.role, hashContent, parts: mapped.parts };
}

/**
 * The conversation id an OpenAI request names: the client's session header, else `prompt_cache_key`; undefined when
 * neither is there (the id is then a hash of the first message).
 */
export function openaiSessionId(bundle: Bundle, body: Json): string | undefined {
  const headers = bundle.exchange.request?.headers ?? {};
  for (const name of ["session_id", "session-id", "conversation_id", "conversation-id", "x-session-id"]) {
    const value = headers[name];
    if (typeof value === "string" && value !== "") return value;
  }
  if (typeof body.prompt_cache_key === "string" && body.prompt_cache_key !== "") return body.prompt_cache_key;
  return undefined;
}

/** The conversation id of an OpenAI request: the client's session header, prompt_cache_key, else first-item hash. */
function openaiConversationId(bundle: Bundle, body: Json, first: Message | undefined): string {
  const named = openaiSessionId(bundle, body);
  if (named !== undefined) return named;
  if (first) return shortHash(canonicalJson(first.hashContent));
  return shortHash(String(bundle.exchange.exchange_id));
}

function usageAttributes(u: Json): Record<string, unknown> | undefined {
  if (!u || typeof u !== "object") return undefined;
  return compact({
    input_tokens: u.input_tokens ?? u.prompt_tokens,
    output_tokens: u.output_tokens ?? u.completion_tokens,
    cache_read_tokens: (u.input_tokens_details ?? u.prompt_tokens_details)?.cached_tokens,
    reasoning_tokens: (u.output_tokens_details ?? u.completion_tokens_details)?.reasoning_tokens,
  });
}

function parsedBody(bundle: Bundle): Json {
  const raw = bundle.exchange.response?.body;
  if (typeof raw !== "string" || raw === "") return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Maps a Responses status (and its output) to a finish reason. */
export function responsesFinishReason(status: string | null, response: Json, output: Json[]): string {
  if (status === "completed") return output.some((i) => /call$/.test(i?.type ?? "")) ? "tool_use" : "stop";
  if (status === "incomplete") {
    const reason = response?.incomplete_details?.reason;
    return reason === "max_output_tokens" ? "length" : reason === "content_filter" ? "refusal" : reason ?? "incomplete";
  }
  return "error";
}

/** Reduces a Responses API exchange. */
export function responsesTurn(bundle: Bundle, body: Json): Turn {
  const input = typeof body.input === "string" ? [{ role: "user", content: body.input }] : body.input ?? [];
  const messages = (Array.isArray(input) ? input : []).map((item: Json) => {
    const m = responsesItem(item);
    return m ? toMessage(m) : { role: "", hashContent: [], parts: [] };
  });
  const json = parsedBody(bundle);
  const answered = json && Array.isArray(json.output)
    ? { output: json.output, status: json.status ?? "completed", response: json, usage: json.usage }
    : bundle.events.length
    ? reconstructResponses(bundle.events)
    : undefined;
  if (answered) {
    const replies = answered.output.map(responsesItem).filter(Boolean).map((m: { role: string; parts: Part[] }) =>
      toMessage(m)
    );
    const last = replies.at(-1);
    if (last) {
      last.finishReason = responsesFinishReason(answered.status, answered.response, answered.output);
      last.usage = usageAttributes(answered.usage);
    }
    messages.push(...replies);
  }
  return {
    provider: "openai",
    model: str(body.model),
    systemText: typeof body.instructions === "string" && body.instructions !== "" ? body.instructions : null,
    tools: body.tools ?? null,
    conversationId: openaiConversationId(bundle, body, messages.find((m: Message) => m.role !== "")),
    userId: str(body.user) ?? str(body.safety_identifier),
    request: compact({
      max_output_tokens: body.max_output_tokens,
      reasoning: body.reasoning,
      stream: body.stream,
    }) ?? {},
    providerRaw: compact({ metadata: body.metadata, prompt_cache_key: body.prompt_cache_key }) ?? {},
    clientVersion: null,
    messages,
  };
}

const CHAT_FINISH: Record<string, string> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_use",
  function_call: "tool_use",
  content_filter: "refusal",
};

/** Maps a Chat Completions finish_reason (null: the stream ended early). */
export function chatFinishReason(reason: unknown): string {
  return typeof reason === "string" && reason !== "" ? CHAT_FINISH[reason] ?? reason : "error";
}

function chatMessage(m: Json): Message {
  if (typeof m?.role !== "string" || m.role === "") return { role: "", hashContent: [], parts: [] };
  const parts = m.role === "tool"
    ? [part("tool_result", { content_text: textOf(m.content), tool_call_id: str(m.tool_call_id), lookupTool: true })]
    : contentParts(m.content);
  if (typeof m.refusal === "string" && m.refusal !== "") parts.push(part("refusal", { content_text: m.refusal }));
  for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
    parts.push(part("tool_call", {
      tool_name: str(call?.function?.name),
      tool_call_id: str(call?.id),
      tool_args: args(call?.function?.arguments),
    }));
  }
  return toMessage({ role: m.role, parts });
}

/** Reduces a Chat Completions exchange. */
export function chatTurn(bundle: Bundle, body: Json): Turn {
  const history: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const messages = history.map(chatMessage);
  const json = parsedBody(bundle);
  const choice = Array.isArray(json?.choices) ? json.choices[0] : undefined;
  const answered = choice?.message
    ? { message: choice.message, finishReason: choice.finish_reason, usage: json.usage }
    : bundle.events.length
    ? reconstructChat(bundle.events)
    : undefined;
  if (answered?.message) {
    const reply = chatMessage({ ...answered.message, role: "assistant" });
    reply.finishReason = chatFinishReason(answered.finishReason);
    reply.usage = usageAttributes(answered.usage);
    messages.push(reply);
  }
  const system = history.filter((m) => m?.role === "system" || m?.role === "developer").map((m) => textOf(m.content))
    .filter((t) => t).join("\n\n");
  return {
    provider: "openai",
    model: str(body.model),
    systemText: system === "" ? null : system,
    tools: body.tools ?? null,
    conversationId: openaiConversationId(bundle, body, messages.find((m) => m.role !== "" && m.role !== "system")),
    userId: str(body.user),
    request: compact({
      max_tokens: body.max_tokens ?? body.max_completion_tokens,
      stream: body.stream,
      stream_options: body.stream_options,
    }) ?? {},
    providerRaw: compact({ metadata: body.metadata }) ?? {},
    clientVersion: null,
    messages,
  };
}
