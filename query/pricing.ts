/**
 * Cost in USD of one LLM request from its normalized token counts, by the price table of `@pydantic/genai-prices`
 * (bundled in the package: no network). Tiered (long-context) prices, cache reads and writes (5 minute and 1 hour)
 * and historic price changes are applied by the package. A model it does not know has no cost (NULL, never 0).
 *
 * @module
 */
import { calcPrice } from "@pydantic/genai-prices";
import type { Tokens } from "./llm_requests/tokens.ts";

/** The price data used: the package and its exact version (pinned in deno.json). Recorded on every row. */
export const PRICE_DATA_VERSION = "@pydantic/genai-prices@0.1.8";

/** Token counts in the convention of `llm_requests`: `input` includes the cached reads and writes. */
export interface PricedTokens {
  input: number;
  cacheRead: number;
  cacheWrite: number;
  /** Of `cacheWrite`, the tokens written to the 1-hour cache (Anthropic). */
  cacheWrite1h?: number;
  output: number;
}

/** A priced request: the cost and the price entry that matched. */
export interface Price {
  costUsd: number;
  /** The id of the matched price entry (`claude-sonnet-4-5` for `claude-sonnet-4-5-20250929`). */
  model: string;
}

/**
 * Prices a request; undefined when the model is unknown or the counts are inconsistent.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tokens = { input: 1_000_000, cacheRead: 0, cacheWrite: 0, output: 1_000_000 };
 * assert.deepEqual(priceOf("anthropic", "claude-opus-4-1-20250805", tokens, new Date("2025-10-01")), {
 *   costUsd: 90,
 *   model: "claude-opus-4-1",
 * });
 * assert.equal(priceOf("anthropic", "claude-fake", tokens, new Date()), undefined);
 * ```
 */
export function priceOf(
  provider: string | null,
  model: string | null,
  tokens: PricedTokens,
  at: Date,
): Price | undefined {
  if (!model) return undefined;
  const usage: Record<string, number> = { input_tokens: tokens.input, output_tokens: tokens.output };
  if (tokens.cacheRead) usage.cache_read_tokens = tokens.cacheRead;
  if (tokens.cacheWrite) usage.cache_write_tokens = tokens.cacheWrite;
  if (tokens.cacheWrite1h) usage.cache_write_1h_tokens = tokens.cacheWrite1h;
  try {
    const result = calcPrice(usage, model, { ...(provider ? { providerId: provider } : {}), timestamp: at });
    if (!result) return undefined;
    // Rounded to a nano-dollar: sums over many requests stay exact enough and stable across runs.
    return { costUsd: Math.round(result.total_price * 1e9) / 1e9, model: result.model.id };
  } catch {
    return undefined;
  }
}

/**
 * Prices normalized token counts (`llm_requests`' convention, see `llm_requests/tokens.ts`); undefined when the input
 * or output count is unknown, the time is not a date, or {@linkcode priceOf} finds no price.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const tokens = { input_tokens: 1_000_000, cache_read_tokens: 0, cache_write_tokens: 0, cache_write_1h_tokens: null,
 *   output_tokens: 1_000_000, reasoning_tokens: null };
 * assert.equal(priceOfTokens("anthropic", "claude-opus-4-1-20250805", tokens, "2025-10-01T00:00:00Z")?.costUsd, 90);
 * assert.equal(priceOfTokens("anthropic", "claude-opus-4-1-20250805", { ...tokens, output_tokens: null }, null), undefined);
 * ```
 */
export function priceOfTokens(
  provider: string | null,
  model: string | null,
  tokens: Tokens,
  at: string | Date | null | undefined,
): Price | undefined {
  if (tokens.input_tokens === null || tokens.output_tokens === null) return undefined;
  const when = at instanceof Date ? at : new Date(String(at ?? ""));
  return priceOf(provider, model, {
    input: tokens.input_tokens,
    cacheRead: tokens.cache_read_tokens ?? 0,
    cacheWrite: tokens.cache_write_tokens ?? 0,
    cacheWrite1h: tokens.cache_write_1h_tokens ?? 0,
    output: tokens.output_tokens,
  }, Number.isNaN(when.getTime()) ? new Date() : when);
}
