/**
 * Token counts of one exchange, normalized across providers. Convention: `input_tokens` is every input token,
 * cached ones included (OpenAI's convention; Anthropic's `input_tokens` excludes the cache, so its cache reads and
 * writes are added); `output_tokens` includes reasoning. A count the wire did not carry is null, never 0: a stream
 * cut before its final usage gives null output.
 *
 * @module
 */

// deno-lint-ignore no-explicit-any
type Json = any;

/** Normalized counts (null: unknown). */
export interface Tokens {
  input_tokens: number | null;
  cache_read_tokens: number | null;
  cache_write_tokens: number | null;
  /** Of the cache writes, those to the 1-hour cache (Anthropic). */
  cache_write_1h_tokens: number | null;
  output_tokens: number | null;
  reasoning_tokens: number | null;
}

/** No counts at all. */
export const NO_TOKENS: Tokens = {
  input_tokens: null,
  cache_read_tokens: null,
  cache_write_tokens: null,
  cache_write_1h_tokens: null,
  output_tokens: null,
  reasoning_tokens: null,
};

function num(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/**
 * Anthropic usage; `final` is false when a stream ended before a `message_delta` carried the final output count.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const u = { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 5 };
 * assert.deepEqual(anthropicTokens(u, true), { input_tokens: 1110, cache_read_tokens: 1000,
 *   cache_write_tokens: 100, cache_write_1h_tokens: null, output_tokens: 5, reasoning_tokens: null });
 * ```
 */
export function anthropicTokens(u: Json, final: boolean): Tokens {
  if (!u || typeof u !== "object") return NO_TOKENS;
  const uncached = num(u.input_tokens);
  const read = num(u.cache_read_input_tokens) ?? (uncached === null ? null : 0);
  const write = num(u.cache_creation_input_tokens) ?? (uncached === null ? null : 0);
  return {
    input_tokens: uncached === null ? null : uncached + (read ?? 0) + (write ?? 0),
    cache_read_tokens: read,
    cache_write_tokens: write,
    cache_write_1h_tokens: num(u.cache_creation?.ephemeral_1h_input_tokens),
    output_tokens: final ? num(u.output_tokens) : null,
    reasoning_tokens: final ? num(u.output_tokens_details?.thinking_tokens) : null,
  };
}

/**
 * OpenAI usage, Responses (`input_tokens`) or Chat Completions (`prompt_tokens`); OpenAI has no cache writes (0).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const u = { prompt_tokens: 50, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 20 } };
 * assert.deepEqual(openaiTokens(u), { input_tokens: 50, cache_read_tokens: 20, cache_write_tokens: 0,
 *   cache_write_1h_tokens: null, output_tokens: 9, reasoning_tokens: null });
 * ```
 */
export function openaiTokens(u: Json): Tokens {
  if (!u || typeof u !== "object") return NO_TOKENS;
  const input = num(u.input_tokens ?? u.prompt_tokens);
  return {
    input_tokens: input,
    cache_read_tokens: num((u.input_tokens_details ?? u.prompt_tokens_details)?.cached_tokens) ??
      (input === null ? null : 0),
    cache_write_tokens: input === null ? null : 0,
    cache_write_1h_tokens: null,
    output_tokens: num(u.output_tokens ?? u.completion_tokens),
    reasoning_tokens: num((u.output_tokens_details ?? u.completion_tokens_details)?.reasoning_tokens),
  };
}
