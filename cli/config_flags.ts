/**
 * The config-source flags, defined once for every command that reads a config (the runner now; query, export and
 * install later), and the rules that turn them into one {@link ConfigSource}.
 *
 * @module
 */
import fs from "node:fs";
import process from "node:process";
import type { ConfigSource } from "../platform/config/load.ts";
import { defaultConfigPath } from "../platform/paths.ts";
import type { FlagSpec, ParsedFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

/** `--config`, `--config-env`, `--config-endpoint`, `--default-config`, `--strict`. */
export const CONFIG_FLAGS: Record<string, FlagSpec> = {
  "config": { type: "string", requires: "--config requires a path or URL" },
  "config-env": { type: "string", requires: "--config-env requires an environment variable name" },
  "config-endpoint": { type: "string", requires: "--config-endpoint requires a URL" },
  "default-config": { type: "boolean" },
  "strict": { type: "boolean" },
};

/** Help lines for {@link CONFIG_FLAGS}. */
export const CONFIG_FLAGS_HELP = `Config (one of):
  --config <path|url>       a config file (JSON with comments) or an http(s) URL serving one
                            (default: ~/.hyp/collectivus.json when it exists, else the
                            COLLECTIVUS_CONFIG_JSON variable when set, as in the container image)
  --config-env <VAR>        config JSON held in an environment variable
  --config-endpoint <url>   a Central server setup URL
  --default-config          the built-in config: proxy on 127.0.0.1:8787, OTLP on 127.0.0.1:4318,
                            recordings under ~/.hyp/collectivus
  --strict                  unknown top-level config keys are errors, not warnings`;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const HTTP_URL = /^https?:\/\//i;

/** The variable read when no source is given and no default file exists: the container image's config. */
export const CONFIG_ENV_FALLBACK = "COLLECTIVUS_CONFIG_JSON";

/** The message when no source is given and no default file exists. */
export const NO_CONFIG_MESSAGE = "--config <path|url>, --config-env <env-var>, or --config-endpoint <url> is required";

/**
 * Picks the config source the flags ask for. Throws a {@link UsageError} for conflicting or malformed flags, and
 * when nothing is given and `~/.hyp/collectivus.json` does not exist.
 */
export function configSourceFrom(values: ParsedFlags["values"], usage: string): ConfigSource {
  const file = values["config"] as string | undefined;
  const variable = values["config-env"] as string | undefined;
  const endpoint = values["config-endpoint"] as string | undefined;
  const builtIn = values["default-config"] === true;
  if (file !== undefined && endpoint !== undefined) {
    throw new UsageError("--config and --config-endpoint are mutually exclusive", usage);
  }
  if (file !== undefined && variable !== undefined) {
    throw new UsageError("--config and --config-env are mutually exclusive", usage);
  }
  if (variable !== undefined && endpoint !== undefined) {
    throw new UsageError("--config-env cannot be combined with --config or --config-endpoint", usage);
  }
  if (builtIn && (file ?? variable ?? endpoint) !== undefined) {
    throw new UsageError("--default-config cannot be combined with another config source", usage);
  }
  if (builtIn) return { kind: "default" };
  if (variable !== undefined) {
    if (!ENV_NAME.test(variable)) throw new UsageError("--config-env must be an environment variable name", usage);
    return { kind: "env", variable };
  }
  if (endpoint !== undefined) {
    if (!HTTP_URL.test(endpoint)) throw new UsageError("--config-endpoint requires an http(s) URL", usage);
    return { kind: "url", url: endpoint };
  }
  if (file !== undefined) return HTTP_URL.test(file) ? { kind: "url", url: file } : { kind: "file", path: file };
  const fallback = defaultConfigPath();
  if (fs.existsSync(fallback)) return { kind: "file", path: fallback };
  if (process.env[CONFIG_ENV_FALLBACK]) return { kind: "env", variable: CONFIG_ENV_FALLBACK };
  throw new UsageError(
    `${NO_CONFIG_MESSAGE}\nhint: ${fallback} does not exist yet: \`ctvs init\` (on a terminal) writes it, ` +
      "or --default-config uses the built-in config",
    usage,
  );
}
