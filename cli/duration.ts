/**
 * `<N><unit>` durations (`15m`, `2h`, `7d`) as the `--since` flags take them.
 *
 * @module
 */

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses `<N>(ms|s|m|h|d|w)` into milliseconds; undefined for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(parseDuration("2h"), 7_200_000);
 * assert.equal(parseDuration("soon"), undefined);
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d|w)$/.exec(text.trim());
  return match ? Number(match[1]) * UNITS[match[2]] : undefined;
}
