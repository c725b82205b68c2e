/**
 * Config v1: load a config from a file, URL, environment variable or the embedded default, parse it as JSONC,
 * validate it, resolve its runtime secrets.
 *
 * @module
 */
export { ConfigError } from "./config_error.ts";
export { defaultConfig } from "./default_config.ts";
export { type ListenAddress, parseListen } from "./listen.ts";
export { type ConfigSource, FETCH_TIMEOUT_MS, loadConfig, type LoadOptions } from "./load.ts";
export { parseConfigText } from "./parse_jsonc.ts";
export { type Env, resolveSecrets } from "./secrets.ts";
export type * from "./types.ts";
export { TOP_LEVEL_KEYS, validateConfig, type ValidateOptions, type ValidationResult } from "./validate.ts";
