/**
 * The walkthrough's answers and the config they make (reference §2.10 step 9), kept pure so they can be tested
 * without a terminal.
 *
 * @module
 */
import { validateConfig } from "../platform/config/validate.ts";
import type { Config } from "../platform/config/types.ts";

/** The upstreams the walkthrough offers (reference §2.10 steps 5 and 11). */
export const PROVIDERS = {
  anthropic: { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } },
  openai: { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } },
} as const;

/** A provider name. */
export type Provider = keyof typeof PROVIDERS;

/** What the user chose. */
export interface WalkthroughAnswers {
  proxy: boolean;
  otlp: boolean;
  /** As typed (a leading `~` is kept: the collector expands it). */
  sinkDir: string;
  upstreams: Provider[];
  proxyListen: string;
  otlpListen: string;
  /** The Gas City cities to record (the `gascity` block; none when absent). */
  gascity?: { name: string; api_url: string }[];
}

/** The sources chosen. */
export interface ChosenSources {
  proxy: boolean;
  otlp: boolean;
  gascity: boolean;
}

/**
 * Reads `1|2|3|proxy|otlp|otel|both|all` (a comma or space list of names too); with a Gas City on offer also
 * `4|gascity|gas|gc|supervisor` and `5`, and `all` takes it in. Undefined when unreadable.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseSources("1,4", true), { proxy: true, otlp: false, gascity: true });
 * assert.equal(parseSources("4"), undefined);
 * ```
 */
export function parseSources(answer: string, gascityOffered = false): ChosenSources | undefined {
  const words = answer.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return { proxy: true, otlp: false, gascity: false };
  const chosen = { proxy: false, otlp: false, gascity: false };
  for (const word of words) {
    if (word === "1" || word === "proxy" || word === "llm") chosen.proxy = true;
    else if (word === "2" || word === "otlp" || word === "otel") chosen.otlp = true;
    else if (word === "3" || word === "both") chosen.proxy = chosen.otlp = true;
    else if (word === "all" || (gascityOffered && word === "5")) {
      chosen.proxy = chosen.otlp = true;
      chosen.gascity = gascityOffered;
    } else if (gascityOffered && ["4", "gascity", "gas", "gc", "supervisor"].includes(word)) chosen.gascity = true;
    else return undefined;
  }
  return chosen;
}

/** Reads a comma or space list of provider names (empty: anthropic); undefined when one is unknown. */
export function parseUpstreams(answer: string): Provider[] | undefined {
  const words = answer.trim().toLowerCase().split(/[\s,]+/).filter(Boolean);
  if (words.length === 0) return ["anthropic"];
  if (!words.every((w): w is Provider => w in PROVIDERS)) return undefined;
  return [...new Set(words)];
}

/**
 * The config for `answers`: `{version, sink, query, proxy?, otel?, gascity?}`, checked with `validateConfig`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const config = walkthroughConfig({
 *   proxy: true, otlp: false, sinkDir: "~/rec", upstreams: ["anthropic"],
 *   proxyListen: "127.0.0.1:8787", otlpListen: "127.0.0.1:4318",
 * });
 * assert.equal(config.proxy?.upstreams[0].base_url, "https://api.anthropic.com");
 * assert.equal(config.otel, undefined);
 * ```
 */
export function walkthroughConfig(answers: WalkthroughAnswers): Config {
  const config: Record<string, unknown> = {
    version: 1,
    sink: { type: "file", dir: answers.sinkDir },
    query: { cache: { enabled: true } },
  };
  if (answers.proxy) {
    config.proxy = { listen: answers.proxyListen, upstreams: answers.upstreams.map((p) => ({ ...PROVIDERS[p] })) };
  }
  if (answers.otlp) config.otel = { listen: answers.otlpListen };
  if (answers.gascity?.length) config.gascity = answers.gascity.map((c) => ({ ...c }));
  return validateConfig(config, { strict: true }).config;
}
