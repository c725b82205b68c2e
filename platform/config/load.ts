/**
 * Loading a config from where the command line points: a file, a URL, an environment variable or the embedded
 * default. Loading is read + parse (JSONC) + validate; runtime secrets are resolved later (`resolveSecrets`).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import process from "node:process";
import { expandHome } from "../paths.ts";
import { errorMessage } from "../runtime.ts";
import { ConfigError } from "./config_error.ts";
import { defaultConfig } from "./default_config.ts";
import { parseConfigText } from "./parse_jsonc.ts";
import type { LoadedConfig } from "./types.ts";
import { validateConfig } from "./validate.ts";

/** Where a config comes from: `--config <path>`, `--config <url>` / `--config-endpoint`, `--config-env`, default. */
export type ConfigSource =
  | { kind: "file"; path: string }
  | { kind: "url"; url: string }
  | { kind: "env"; variable: string }
  | { kind: "default" };

/** Options of {@linkcode loadConfig}. */
export interface LoadOptions {
  /** Unknown top-level keys are errors instead of warnings (`--strict`). */
  strict?: boolean;
  /** The environment for `env` sources (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The fetch used for `url` sources (default the global one). */
  fetch?: typeof fetch;
  /** How long a `url` source may take, body included (default 10 000 ms). */
  timeoutMs?: number;
}

/** How long fetching a URL config may take by default. */
export const FETCH_TIMEOUT_MS = 10_000;

/**
 * Reads, parses and validates the config at `source`. A URL is fetched once. Throws a {@linkcode ConfigError}:
 * `config file not found: <path>`, `failed to read <path>: <msg>`, `failed to fetch <url>: <msg>`,
 * `failed to fetch <url>: HTTP <status> <statusText>`, `environment variable <VAR> is not set`,
 * `invalid JSON in <source> at line L, column C: <msg>`, or a validation error.
 *
 * @param source Where to read the config.
 * @param options `strict`, and the environment and fetch to use.
 * @returns The config, its kind, its source label (path, URL, `env:<VAR>` or `default`) and warnings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const loaded = await loadConfig({ kind: "env", variable: "CTVS_CONFIG" }, {
 *   env: { CTVS_CONFIG: '{ "version": 1, "query": { "cache": { "enabled": false } } }' },
 * });
 * assert.equal(loaded.source, "env:CTVS_CONFIG");
 * assert.equal(loaded.config.query?.cache?.enabled, false);
 * ```
 */
export async function loadConfig(source: ConfigSource, options: LoadOptions = {}): Promise<LoadedConfig> {
  if (source.kind === "default") {
    const { config, warnings } = validateConfig(defaultConfig(), { strict: options.strict });
    return { config, kind: "default", source: "default", warnings };
  }
  const { text, label } = await readSource(source, options);
  const { config, warnings } = validateConfig(parseConfigText(text, label), { strict: options.strict });
  return { config, kind: source.kind, source: label, warnings };
}

/** The raw text of a file, URL or environment source, and the label naming it in errors. */
function readSource(
  source: Exclude<ConfigSource, { kind: "default" }>,
  options: LoadOptions,
): Promise<{ text: string; label: string }> {
  switch (source.kind) {
    case "file":
      return readConfigFile(expandHome(source.path));
    case "url":
      return fetchConfig(source.url, options.fetch ?? globalThis.fetch, options.timeoutMs ?? FETCH_TIMEOUT_MS);
    case "env":
      return Promise.resolve(readConfigVariable(source.variable, options.env ?? process.env));
  }
}

async function readConfigFile(path: string): Promise<{ text: string; label: string }> {
  try {
    return { text: await readFile(path, "utf8"), label: path };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === "ENOENT" || code === "ENOTDIR") throw new ConfigError(`config file not found: ${path}`);
    throw new ConfigError(`failed to read ${path}: ${errorMessage(error)}`);
  }
}

async function fetchConfig(
  url: string,
  fetchFn: typeof fetch,
  timeoutMs: number,
): Promise<{ text: string; label: string }> {
  const signal = AbortSignal.timeout(timeoutMs);
  const label = redactTokens(url);
  let response: Response;
  try {
    response = await fetchFn(url, { signal, headers: { accept: "application/json" } });
  } catch (error) {
    throw new ConfigError(`failed to fetch ${label}: ${fetchErrorMessage(error, signal, timeoutMs)}`);
  }
  if (!response.ok) {
    const detail = await errorDetail(response);
    const status = response.statusText ? `${response.status} ${response.statusText}` : String(response.status);
    throw new ConfigError(`failed to fetch ${label}: HTTP ${status}${detail}`);
  }
  try {
    return { text: await response.text(), label };
  } catch (error) {
    throw new ConfigError(`failed to read response body from ${label}: ${fetchErrorMessage(error, signal, timeoutMs)}`);
  }
}

/**
 * `url` with the values of `token` and `bootstrap_token` query parameters (a Central setup URL's one-shot token)
 * replaced by `REDACTED`, for messages and logs.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(
 *   redactTokens("https://c:8788/v1/bootstrap-config?token=bt_secret&x=1"),
 *   "https://c:8788/v1/bootstrap-config?token=REDACTED&x=1",
 * );
 * ```
 */
export function redactTokens(url: string): string {
  return url.replace(/([?&](?:bootstrap_)?token=)[^&#]*/gi, "$1REDACTED");
}

/** A Central server's JSON error, as ` (invalid bootstrap token: already_used)`; nothing for other bodies. */
async function errorDetail(response: Response): Promise<string> {
  const text = await response.text().catch(() => "");
  try {
    const body = JSON.parse(text);
    if (typeof body?.error !== "string") return "";
    return ` (${body.error}${typeof body.reason === "string" ? `: ${body.reason}` : ""})`;
  } catch {
    return "";
  }
}

function readConfigVariable(
  variable: string,
  env: Record<string, string | undefined>,
): { text: string; label: string } {
  const text = env[variable];
  if (!text) throw new ConfigError(`environment variable ${variable} is not set`);
  return { text, label: `env:${variable}` };
}

/** A fetch failure in a few words: the timeout, or the underlying cause rather than a bare "fetch failed". */
function fetchErrorMessage(error: unknown, signal: AbortSignal, timeoutMs: number): string {
  if (signal.aborted) return `timed out after ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? error.cause : undefined;
  const message = errorMessage(error);
  if (cause instanceof Error && message === "fetch failed") return cause.message;
  return message;
}
