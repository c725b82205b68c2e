/**
 * Codex token counts: the running totals its `token_count` events carry turned into the usage of each model
 * response, and the normalized token columns of that usage.
 *
 * @module
 */
import type { Tokens } from "../llm_requests/tokens.ts";

/** The counts of a Codex usage object (`total_token_usage`, `last_token_usage`). */
export const CODEX_TOKEN_FIELDS = [
  "input_tokens",
  "cached_input_tokens",
  "cache_write_input_tokens",
  "output_tokens",
  "reasoning_output_tokens",
  "total_tokens",
] as const;

/** A Codex usage object reduced to its counts (absent ones 0). */
export type CodexCounts = Record<(typeof CODEX_TOKEN_FIELDS)[number], number>;

function num(v: unknown): number {
  return typeof v === "number" && Number.isFinite(v) ? v : 0;
}

/** The counts of a usage object, or undefined when it is not one. */
export function codexCounts(u: unknown): CodexCounts | undefined {
  if (!u || typeof u !== "object") return undefined;
  const r = u as Record<string, unknown>;
  return Object.fromEntries(CODEX_TOKEN_FIELDS.map((f) => [f, num(r[f])])) as CodexCounts;
}

/**
 * The usage of one response from a `token_count` event: the running total minus the previous one. A repeated event
 * (nothing added) gives undefined; a total that went down (the counts were reset) gives the event's
 * `last_token_usage` instead, else the total itself. With no previous total, the event's `last_token_usage` when it
 * has one: the first event of a rollout carries the same in both, but a reader that starts mid-session (a live
 * stream replaying from the last compaction) must not count the whole session's total as one response.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const c = (input_tokens: number, output_tokens: number) => codexCounts({ input_tokens, output_tokens })!;
 * assert.deepEqual(codexDelta(c(30, 9), undefined), c(30, 9));
 * assert.deepEqual(codexDelta(c(60, 18), c(30, 9)), c(30, 9));
 * assert.equal(codexDelta(c(60, 18), c(60, 18)), undefined);
 * assert.deepEqual(codexDelta(c(5, 1), c(60, 18), c(5, 1)), c(5, 1));
 * assert.deepEqual(codexDelta(c(600, 80), undefined, c(30, 9)), c(30, 9));
 * ```
 */
export function codexDelta(
  total: CodexCounts,
  previous: CodexCounts | undefined,
  last?: CodexCounts,
): CodexCounts | undefined {
  if (!previous) return last ?? total;
  const delta = Object.fromEntries(CODEX_TOKEN_FIELDS.map((f) => [f, total[f] - previous[f]])) as CodexCounts;
  if (CODEX_TOKEN_FIELDS.some((f) => delta[f] < 0)) return last ?? total;
  return CODEX_TOKEN_FIELDS.every((f) => delta[f] === 0) ? undefined : delta;
}

/**
 * The normalized tokens of Codex counts: OpenAI's convention, input including the cached tokens, output including
 * reasoning.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const counts = codexCounts({ input_tokens: 3000, cached_input_tokens: 2000, output_tokens: 40, reasoning_output_tokens: 10 })!;
 * assert.deepEqual(codexTokens(counts), { input_tokens: 3000, cache_read_tokens: 2000, cache_write_tokens: 0,
 *   cache_write_1h_tokens: null, output_tokens: 40, reasoning_tokens: 10 });
 * ```
 */
export function codexTokens(c: CodexCounts): Tokens {
  return {
    input_tokens: c.input_tokens,
    cache_read_tokens: c.cached_input_tokens,
    cache_write_tokens: c.cache_write_input_tokens,
    cache_write_1h_tokens: null,
    output_tokens: c.output_tokens,
    reasoning_tokens: c.reasoning_output_tokens,
  };
}
