/**
 * One `llm_requests` row from one exchange: when, which API and model, the status and error, latency and time to
 * first token, the normalized tokens and the cost.
 *
 * @module
 */
import { PRICE_DATA_VERSION, priceOfTokens } from "../pricing.ts";
import { anthropicFinishReason } from "../proxy_messages/anthropic_turn.ts";
import { reconstructAnthropic } from "../proxy_messages/anthropic_stream.ts";
import type { Bundle } from "../proxy_messages/bundles.ts";
import { contextOf, type TranscriptEntry } from "../proxy_messages/context.ts";
import { chatFinishReason, responsesFinishReason } from "../proxy_messages/openai_turn.ts";
import { reconstructChat, reconstructResponses } from "../proxy_messages/openai_stream.ts";
import { apiOf, conversationIdOf, providerOf, requestBody } from "../proxy_messages/wire.ts";
import { anthropicTokens, NO_TOKENS, openaiTokens, type Tokens } from "./tokens.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

interface Outcome {
  tokens: Tokens;
  finish: string | null;
  error: string | null;
  model: string | null;
  ttft: number | null;
  /** The API's id of the answer: Anthropic `msg_...`, Responses `resp_...`, Chat `chatcmpl-...`. */
  responseId: string | null;
}

function id(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}

function parse(text: unknown): Json {
  if (typeof text !== "string" || text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function errorText(e: Json): string | null {
  if (!e) return null;
  if (typeof e === "string") return e;
  return typeof e.message === "string" ? e.message : JSON.stringify(e);
}

/** What the response says, per API. */
function outcome(bundle: Bundle, api: string | undefined): Outcome {
  const json = parse(bundle.exchange.response?.body);
  const none: Outcome = {
    tokens: NO_TOKENS,
    finish: null,
    error: errorText(json?.error),
    model: null,
    ttft: null,
    responseId: null,
  };
  if (api === "messages") {
    if (json && json.type !== "error") {
      return {
        ...none,
        tokens: anthropicTokens(json.usage, true),
        finish: anthropicFinishReason(json.stop_reason) ?? null,
        model: json.model ?? null,
        responseId: id(json.id),
      };
    }
    if (!bundle.events.length) return none;
    const s = reconstructAnthropic(bundle.events);
    const m = s.message;
    return {
      tokens: anthropicTokens(m?.usage, s.finalUsage),
      finish: m ? anthropicFinishReason(m.stop_reason) ?? null : null,
      error: errorText(s.error) ?? none.error,
      model: m?.model ?? null,
      ttft: s.firstContentMs,
      responseId: id(m?.id),
    };
  }
  if (api === "responses") {
    if (json && Array.isArray(json.output)) {
      return {
        ...none,
        tokens: openaiTokens(json.usage),
        finish: responsesFinishReason(json.status ?? "completed", json, json.output),
        model: json.model ?? null,
        responseId: id(json.id),
      };
    }
    if (!bundle.events.length) return none;
    const s = reconstructResponses(bundle.events);
    return {
      tokens: openaiTokens(s.usage),
      finish: responsesFinishReason(s.status, s.response, s.output),
      error: errorText(s.error) ?? none.error,
      model: s.response?.model ?? null,
      ttft: s.firstContentMs,
      responseId: id(s.response?.id),
    };
  }
  if (api === "chat_completions") {
    if (json && Array.isArray(json.choices)) {
      return {
        ...none,
        tokens: openaiTokens(json.usage),
        finish: chatFinishReason(json.choices[0]?.finish_reason),
        model: json.model ?? null,
        responseId: id(json.id),
      };
    }
    if (!bundle.events.length) return none;
    const s = reconstructChat(bundle.events);
    return {
      tokens: openaiTokens(s.usage),
      finish: s.message ? chatFinishReason(s.finishReason) : null,
      error: errorText(s.error) ?? none.error,
      model: s.model,
      ttft: s.firstContentMs,
      responseId: s.id,
    };
  }
  return none;
}

function header(headers: Json, name: string): string | null {
  const v = headers?.[name];
  return typeof v === "string" ? v : Array.isArray(v) && typeof v[0] === "string" ? v[0] : null;
}

/**
 * The row of one exchange (without `gateway_id` and `date`); `body` is its parsed request body, `transcript` the
 * Claude Code transcript context nearest to it, if read.
 */
export function requestRow(
  bundle: Bundle,
  body: Json = requestBody(bundle),
  transcript?: TranscriptEntry,
): Record<string, unknown> {
  const { exchange } = bundle;
  const api = apiOf(exchange.request?.path);
  const provider = providerOf(api);
  const ctx = contextOf(exchange, body, transcript);
  const out = outcome(bundle, api);
  const model = (typeof body?.model === "string" ? body.model : null) ?? out.model;
  const t = out.tokens;
  const price = priceOfTokens(provider, out.model ?? model, t, exchange.ts_start);
  const headers = exchange.response?.headers;
  return {
    exchange_id: exchange.exchange_id,
    ts_start: exchange.ts_start,
    ts_end: exchange.ts_end,
    provider,
    api: api ?? null,
    upstream: exchange.upstream ?? null,
    request_path: exchange.request?.path ?? null,
    model,
    response_model: out.model,
    conversation_id: conversationIdOf(bundle, body, api),
    conversation_source: ctx.conversation_source,
    cwd: ctx.cwd,
    git_branch: ctx.git_branch,
    stream: typeof body?.stream === "boolean" ? body.stream : bundle.events.length > 0,
    status: exchange.response?.status ?? null,
    error: exchange.error ?? out.error,
    finish_reason: out.finish,
    latency_ms: exchange.duration_ms ?? null,
    ttft_ms: out.ttft,
    input_tokens: t.input_tokens,
    cache_read_tokens: t.cache_read_tokens,
    cache_write_tokens: t.cache_write_tokens,
    output_tokens: t.output_tokens,
    reasoning_tokens: t.reasoning_tokens,
    total_tokens: t.input_tokens !== null && t.output_tokens !== null ? t.input_tokens + t.output_tokens : null,
    cost_usd: price?.costUsd ?? null,
    price_model: price?.model ?? null,
    price_version: PRICE_DATA_VERSION,
    request_id: header(headers, "request-id") ?? header(headers, "x-request-id"),
    response_id: out.responseId,
  };
}
