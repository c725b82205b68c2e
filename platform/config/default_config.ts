/**
 * The embedded default config (`--default-config`): record Anthropic and OpenAI traffic and OTLP locally.
 *
 * @module
 */
import { defaultSinkDir } from "../paths.ts";
import type { Config } from "./types.ts";

/**
 * A fresh copy of the embedded default: the OTLP receiver on `127.0.0.1:4318`, the proxy on `127.0.0.1:8787` in
 * front of `api.anthropic.com` (`/v1/messages`) and `api.openai.com` (`/v1`), recordings under `~/.hyp/collectivus`,
 * the query cache on.
 *
 * @returns A config that passes `validateConfig`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const config = defaultConfig();
 * assert.equal(config.proxy?.listen, "127.0.0.1:8787");
 * assert.deepEqual(config.proxy?.upstreams.map((upstream) => upstream.name), ["anthropic", "openai"]);
 * ```
 */
export function defaultConfig(): Config {
  return {
    version: 1,
    otel: { listen: "127.0.0.1:4318" },
    proxy: {
      listen: "127.0.0.1:8787",
      upstreams: [
        { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } },
        { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } },
      ],
    },
    sink: { type: "file", dir: defaultSinkDir() },
    query: { cache: { enabled: true } },
  };
}
