/**
 * Which API an exchange spoke, told from the wire (the request path), and its reduction to a {@link Turn}.
 *
 * @module
 */
import { anthropicConversationId, anthropicTurn } from "./anthropic_turn.ts";
import type { Bundle } from "./bundles.ts";
import { chatTurn, openaiSessionId, responsesTurn } from "./openai_turn.ts";
import type { Turn } from "./turn.ts";

/** The APIs told apart. */
export type Api = "messages" | "count_tokens" | "responses" | "chat_completions";

/**
 * The API of a request path (query string ignored), or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(apiOf("/v1/messages?beta=true"), "messages");
 * assert.equal(apiOf("/openai/v1/responses"), "responses");
 * assert.equal(apiOf("/"), undefined);
 * ```
 */
export function apiOf(path: unknown): Api | undefined {
  if (typeof path !== "string") return undefined;
  const p = path.split("?")[0].replace(/\/+$/, "");
  if (p.endsWith("/messages/count_tokens")) return "count_tokens";
  if (p.endsWith("/messages")) return "messages";
  if (p.endsWith("/responses")) return "responses";
  if (p.endsWith("/chat/completions")) return "chat_completions";
  return undefined;
}

/** The provider of an API. */
export function providerOf(api: Api | undefined): string | null {
  if (api === "messages" || api === "count_tokens") return "anthropic";
  return api ? "openai" : null;
}

/** The parsed request body when it is a JSON object. */
// deno-lint-ignore no-explicit-any
export function requestBody(bundle: Bundle): Record<string, any> | undefined {
  const raw = bundle.exchange.request?.body;
  if (typeof raw !== "string" || raw === "") return undefined;
  try {
    const body = JSON.parse(raw);
    return body && typeof body === "object" && !Array.isArray(body) ? body : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The conversation id of an exchange to `api` (none for `count_tokens` and unknown paths), the same as its
 * {@linkcode turnOf}'s, without mapping the whole history when the request names its conversation.
 */
export function conversationIdOf(
  bundle: Bundle,
  // deno-lint-ignore no-explicit-any
  body: Record<string, any> | undefined,
  api: Api | undefined,
): string | null {
  if (!body || !api || api === "count_tokens") return null;
  if (api === "messages") return anthropicConversationId(body, bundle.exchange.exchange_id);
  return openaiSessionId(bundle, body) ?? turnOf(bundle, body)!.conversationId;
}

/**
 * Reduces an exchange: OpenAI paths by their API, anything else with a JSON object body as Anthropic Messages (as the
 * reference walker did). Undefined when the body is not a JSON object.
 */
// deno-lint-ignore no-explicit-any
export function turnOf(bundle: Bundle, body: Record<string, any> | undefined = requestBody(bundle)): Turn | undefined {
  if (!body) return undefined;
  const api = apiOf(bundle.exchange.request?.path);
  if (api === "responses") return responsesTurn(bundle, body);
  if (api === "chat_completions") return chatTurn(bundle, body);
  return anthropicTurn(bundle, body);
}
