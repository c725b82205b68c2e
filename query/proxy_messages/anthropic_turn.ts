/**
 * An Anthropic Messages exchange reduced to a {@link Turn} (reference §6.1, §6.2): parts mapped from content blocks,
 * the assistant answer from the JSON body or rebuilt from SSE, the finish reason mapped from `stop_reason`.
 *
 * @module
 */
import { reconstructAnthropic } from "./anthropic_stream.ts";
import type { Bundle } from "./bundles.ts";
import { canonicalJson, shortHash } from "./canonical_json.ts";
import { compact, type Message, type Part, part, str, type Turn } from "./turn.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

const FINISH: Record<string, string> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_use",
  pause_turn: "pause",
  refusal: "refusal",
  error: "error",
};

/** Maps an Anthropic `stop_reason` to the finish reason column value. */
export function anthropicFinishReason(stopReason: unknown): string | undefined {
  if (typeof stopReason !== "string" || stopReason === "") return undefined;
  return FINISH[stopReason] ?? stopReason;
}

const TYPES: Record<string, string> = {
  text: "text",
  thinking: "reasoning",
  redacted_thinking: "reasoning",
  tool_use: "tool_call",
  server_tool_use: "tool_call",
  tool_result: "tool_result",
  web_search_tool_result: "tool_result",
  image: "image",
  document: "file",
  file: "file",
  error: "error",
};

function toolResultText(content: unknown): string | null {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return null;
  return content.filter((c) => c?.type === "text" && typeof c.text === "string").map((c) => c.text).join("\n");
}

/** Maps one content block to its part. */
export function anthropicPart(block: Json): Part {
  const type = typeof block?.type === "string" && block.type !== "" ? block.type : "text";
  const p = part(TYPES[type] ?? type);
  if (type === "text") p.content_text = str(block.text);
  else if (type === "thinking") p.content_text = str(block.thinking);
  else if (type === "redacted_thinking") p.content_text = str(block.data);
  else if (type === "tool_result") p.content_text = toolResultText(block.content);
  else if (type === "error") p.content_text = str(block.message) ?? str(block.text);
  if (type === "thinking" || type === "redacted_thinking") p.thinking_signature = str(block.signature);
  if (type === "tool_use" || type === "server_tool_use") {
    p.tool_name = str(block.name);
    p.tool_call_id = str(block.id);
    p.tool_args = block.input ?? null;
  }
  if (type === "tool_result" || type === "web_search_tool_result") {
    p.tool_call_id = str(block.tool_use_id);
    p.lookupTool = true;
  }
  if (type === "tool_result") p.status = { tool_status: block.is_error === true ? "error" : "success" };
  if (type === "error") {
    p.status = compact({
      error_code: block.error_code ?? block.code,
      error_message: block.message ?? block.text,
    }) ?? null;
  }
  return p;
}

/** A message's content as an array of blocks (a string is one text block; an empty string none). */
export function normalizedContent(content: unknown): Json[] {
  if (typeof content === "string") return content === "" ? [] : [{ type: "text", text: content }];
  return Array.isArray(content) ? content : [];
}

/**
 * What a message id hashes: the content with `cache_control` taken off each block. Claude Code moves that marker
 * to the newest message on every request, so hashing it (as the reference did) would give the same message a new id
 * and repeat the history.
 */
export function hashedContent(content: Json[]): Json[] {
  return content.map((block) => {
    if (!block || typeof block !== "object" || !("cache_control" in block)) return block;
    const { cache_control: _, ...rest } = block;
    return rest;
  });
}

/**
 * A message whose parts are mapped only when read: most of a request is history already emitted, whose parts are
 * never looked at. A class, not an object literal with a getter: V8 gives each such literal an accessor pair in the
 * old generation, which keeps the closure, and through it the request body, alive past young collections (half of
 * what a walk allocated ended up promoted).
 */
class LazyMessage implements Message {
  readonly role: string;
  readonly hashContent: Json[];
  readonly finishReason?: string;
  readonly usage?: Record<string, unknown>;
  readonly #content: Json[];
  #parts: Part[] | undefined;

  constructor(role: string, content: Json[], finishReason?: string, usage?: Record<string, unknown>) {
    this.role = role;
    this.hashContent = hashedContent(content);
    this.finishReason = finishReason;
    this.usage = usage;
    this.#content = content;
  }

  get parts(): Part[] {
    return this.#parts ??= this.#content.map(anthropicPart);
  }
}

function message(raw: Json): Message | undefined {
  if (typeof raw?.role !== "string" || raw.role === "") return undefined;
  const usage = raw.usage && typeof raw.usage === "object"
    ? compact({
      input_tokens: raw.usage.input_tokens,
      output_tokens: raw.usage.output_tokens,
      cache_read_tokens: raw.usage.cache_read_input_tokens,
      cache_write_tokens: raw.usage.cache_creation_input_tokens,
    })
    : undefined;
  return new LazyMessage(raw.role, normalizedContent(raw.content), anthropicFinishReason(raw.stop_reason), usage);
}

/** `metadata.user_id` as an object (it may be a JSON string). */
export function parsedUserId(metadata: Json): Json {
  const raw = metadata?.user_id;
  if (raw && typeof raw === "object") return raw;
  if (typeof raw !== "string") return undefined;
  try {
    const parsed = JSON.parse(raw);
    if (parsed && typeof parsed === "object") return parsed;
  } catch {
    // Older Claude Code: user_<hash>_account_<uuid>_session_<uuid>.
    const legacy = /_account_([0-9a-f-]*)_session_([0-9a-f-]+)$/.exec(raw);
    if (legacy) return { account_uuid: legacy[1] || undefined, session_id: legacy[2] };
  }
  return undefined;
}

/** The conversation id tiers: session id, else the hash of the first message's raw content, else of the exchange id. */
export function anthropicConversationId(body: Json, exchangeId: string): string {
  const session = parsedUserId(body.metadata)?.session_id;
  if (typeof session === "string" && session !== "") return session;
  const first = Array.isArray(body.messages) ? body.messages[0] : undefined;
  if (first && first.content !== undefined) return shortHash(canonicalJson(first.content));
  return shortHash(String(exchangeId));
}

function systemText(system: unknown): string | null {
  if (typeof system === "string") return system === "" ? null : system;
  if (Array.isArray(system)) return system.map((s) => s?.text).filter((t) => typeof t === "string").join("\n\n");
  return null;
}

/** The answer of an exchange: the JSON body when it is a message, else the message rebuilt from its events. */
function answer(bundle: Bundle): Json | null {
  const body = bundle.exchange.response?.body;
  if (typeof body === "string" && body !== "") {
    try {
      const parsed = JSON.parse(body);
      if (parsed?.role === "assistant") return parsed;
    } catch {
      // Not JSON: fall through to the events.
    }
  }
  return bundle.events.length ? reconstructAnthropic(bundle.events).message : null;
}

/** Reduces an Anthropic exchange whose parsed request body is `body`. */
export function anthropicTurn(bundle: Bundle, body: Json): Turn {
  const { exchange } = bundle;
  const userId = parsedUserId(body.metadata);
  const history: Json[] = Array.isArray(body.messages) ? body.messages : [];
  const reply = answer(bundle);
  const messages: Message[] = [];
  for (const raw of reply ? [...history, reply] : history) {
    const m = message(raw);
    messages.push(m ?? { role: "", hashContent: [], parts: [] });
  }
  return {
    provider: "anthropic",
    model: str(body.model),
    systemText: systemText(body.system),
    tools: body.tools ?? null,
    conversationId: anthropicConversationId(body, exchange.exchange_id),
    userId: str(userId?.account_uuid) || null,
    request: compact({
      max_tokens: body.max_tokens,
      thinking: body.thinking,
      output_config: body.output_config,
      context_management: body.context_management,
      stream: body.stream,
    }) ?? {},
    providerRaw: compact({ metadata: body.metadata }) ?? {},
    clientVersion: null,
    messages,
  };
}
