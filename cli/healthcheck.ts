/**
 * `ctvs healthcheck [--url <url>] [config flags]`: asks a running ctvs whether it is up, for a container's
 * HEALTHCHECK or a load balancer's probe script. Exit 0 healthy, 1 not (with the reason on stderr), 2 usage.
 *
 * What is asked, from the config: a Central server (role "server") answers `GET /health` on its control plane; the
 * standalone and gateway roles have no `/health`, so their OTLP listener (else the proxy) must answer `GET /` with
 * its banner. `--url` checks any URL instead (the rendezvous service's `/health`).
 *
 * @module
 */
import { loadConfig } from "../platform/config/load.ts";
import { parseListen } from "../platform/config/listen.ts";
import type { Config } from "../platform/config/types.ts";
import { errorMessage } from "../platform/runtime.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs healthcheck [--url <url>] [--timeout <seconds>] [config options]

Checks that the ctvs running with this config answers: GET /health on a Central server's control plane;
GET / (the banner) on the OTLP listener, else the proxy, of a standalone or gateway host. With --url, GET that
URL instead. Exit 0 when the answer is 200, 1 otherwise (the reason on stderr). The container image's HEALTHCHECK.

Options:
  --url <url>             the http(s) URL to GET instead of the one the config implies
  --timeout <seconds>     give up after this long (default 5)
  -h, --help              show this help

${CONFIG_FLAGS_HELP}`;

const FLAGS = {
  ...CONFIG_FLAGS,
  url: { type: "string", requires: "--url requires an http(s) URL" },
  timeout: { type: "string", requires: "--timeout requires a number of seconds" },
  help: { type: "boolean", short: "h" },
} as const;

/**
 * The URL that tells whether a ctvs with `config` is up, or undefined when it runs no listener to ask. A wildcard
 * listen host is asked on loopback.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const server = { control_plane_listen: "0.0.0.0:8788", identity_issuer: { secret_env: "S" } };
 * assert.equal(healthUrl({ version: 1, role: "server", server }), "http://127.0.0.1:8788/health");
 * assert.equal(healthUrl({ version: 1, otel: { listen: "[::]:4318" } }), "http://[::1]:4318/");
 * assert.equal(healthUrl({ version: 1 }), undefined);
 * ```
 */
export function healthUrl(config: Config): string | undefined {
  if (config.role === "server" && config.server) return `${baseUrl(config.server.control_plane_listen)}/health`;
  const listen = config.otel?.listen ?? config.proxy?.listen;
  return listen === undefined ? undefined : `${baseUrl(listen)}/`;
}

function baseUrl(listen: string): string {
  const { hostname, port } = parseListen(listen);
  const host = hostname === "0.0.0.0" ? "127.0.0.1" : hostname === "::" ? "::1" : hostname;
  return `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
}

/** Runs `ctvs healthcheck`. */
export async function runHealthcheck(argv: string[], io: Io, fetchFn: typeof fetch = fetch): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const timeoutText = (values.timeout as string | undefined) ?? "5";
  const timeout = Number(timeoutText);
  if (!(timeout > 0) || !Number.isFinite(timeout)) {
    throw new UsageError(`--timeout must be a positive number of seconds, got ${timeoutText}`, USAGE);
  }
  let url = values.url as string | undefined;
  if (url !== undefined && !/^https?:\/\//i.test(url)) throw new UsageError("--url requires an http(s) URL", USAGE);
  if (url === undefined) {
    const { config } = await loadConfig(configSourceFrom(values, USAGE));
    url = healthUrl(config);
    if (url === undefined) {
      io.err("unhealthy: the config starts no listener to ask (no otel, proxy or server.control_plane_listen)");
      return 1;
    }
  }
  try {
    const response = await fetchFn(url, { signal: AbortSignal.timeout(timeout * 1000), redirect: "manual" });
    const body = await response.text();
    if (response.status !== 200) {
      io.err(`unhealthy: GET ${url} answered ${response.status} ${body.trim().slice(0, 200)}`.trimEnd());
      return 1;
    }
    io.out(`healthy: GET ${url} answered 200`);
    return 0;
  } catch (error) {
    const reason = (error as Error)?.name === "TimeoutError" ? `no answer within ${timeout} s` : errorMessage(error);
    io.err(`unhealthy: GET ${url} failed: ${reason}`);
    return 1;
  }
}

/** The `ctvs healthcheck` command. */
export const healthcheckCommand: Command = {
  name: "healthcheck",
  summary: "exit 0 when the ctvs running with this config answers (container HEALTHCHECK)",
  run: (argv, io) => runHealthcheck(argv, io),
};
