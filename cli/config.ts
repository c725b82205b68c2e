/**
 * `ctvs config ...`: the operator CLI on the Central server's host (reference §2.7). It works on the server's files
 * directly (the config registry under `data_dir`, the bootstrap token store), so it needs no admin API and works
 * whether or not the server runs; replicas sharing the data directory see the changes at once.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { ConfigError } from "../platform/config/config_error.ts";
import { isHttpUrl } from "../platform/config/_checks.ts";
import { parseListen } from "../platform/config/listen.ts";
import { loadConfig } from "../platform/config/load.ts";
import { parseConfigText } from "../platform/config/parse_jsonc.ts";
import type { ServerConfig } from "../platform/config/types.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { serverDataDir } from "../platform/fleet_paths.ts";
import { isValidGatewayId } from "../platform/gateway_id.ts";
import { defaultConfigPath, expandHome } from "../platform/paths.ts";
import { errorMessage } from "../platform/runtime.ts";
import { BootstrapTokens, DEFAULT_BOOTSTRAP_TTL_SECONDS } from "../server/central/bootstrap_tokens.ts";
import { ConfigRegistry, invalidGatewayIdMessage } from "../server/central/config_registry.ts";
import type { Command } from "./command.ts";
import { issueInvite } from "./config_invite.ts";
import { configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags, wholeNumberFlag } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs config set <gateway-id> --file <config.json>   register (or replace) a gateway's config
       ctvs config get <gateway-id>                          print it
       ctvs config list                                      one gateway id a line
       ctvs config delete <gateway-id> [--yes]               remove it: the gateway is revoked
       ctvs config bootstrap-token issue <gateway-id> [--ttl-seconds <n>]
       ctvs config bootstrap-token issue <gateway-id> --rendezvous <url> [--rendezvous-token <t>]
                                          [--max-uses <n>] [--ttl-seconds <n>]
       ctvs config bootstrap-token revoke <gateway-id>

Run on the Central server's host. Every form takes the server's config:
  --server-config <path|url>     a config with role "server" (default: ~/.hyp/collectivus.json)
  --server-config-env <VAR>      that config held in an environment variable

A registered config is what the gateway runs: a version 1 config with role "gateway" and a central_server
block, checked by the same validator the gateway uses. Deleting it revokes the gateway: its JWT no longer
refreshes, polls or ships (rows wait in its outbox until it is registered again).

"bootstrap-token issue" prints a one-shot token on stdout and, on stderr, the command that sets up the
gateway: npx collectivus --config-endpoint='<public_url>/v1/bootstrap-config?token=<token>'.
The token lives server.identity_issuer.bootstrap_ttl_seconds (default 7 days) unless --ttl-seconds says.
With --rendezvous <url> it makes a join code instead (as \`ctvs invite create\` does through the admin API):
registered at that rendezvous service with --rendezvous-token (else COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN,
else server.rendezvous), valid for --max-uses hosts (default 1: <gateway-id>; more: <gateway-id>-1, -2, ...)
and --ttl-seconds (default 24 hours). It prints the code on stdout and, on stderr, the command for the new
host: npx collectivus join <code> --rendezvous <url>.

Exit codes: 0 ok, 1 failure (not found, invalid config), 2 usage error.`;

const FLAGS = {
  "server-config": { type: "string", requires: "--server-config requires a path or URL" },
  "server-config-env": { type: "string", requires: "--server-config-env requires an environment variable name" },
  "file": { type: "string", requires: "--file requires a path" },
  "ttl-seconds": { type: "string", requires: "--ttl-seconds requires a number of seconds" },
  "rendezvous": { type: "string", requires: "--rendezvous requires the rendezvous service's URL" },
  "rendezvous-token": { type: "string", requires: "--rendezvous-token requires a token" },
  "max-uses": { type: "string", requires: "--max-uses requires a number" },
  "yes": { type: "boolean", short: "y" },
  "help": { type: "boolean", short: "h" },
} as const;

const NOT_A_SERVER =
  '--server-config must point at a config with role: "server" (the operator CLI runs on the server host)';

/** Runs `ctvs config` against `host`; `stdinIsTTY` decides whether `delete` may ask. */
export async function runConfig(argv: string[], io: Io, host: Host, stdinIsTTY: boolean): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: 3 });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [action, ...rest] = positionals;
  if (action === undefined) {
    throw new UsageError("missing subcommand: set, get, list, delete or bootstrap-token", USAGE);
  }
  const server = await serverConfig(values);
  const registry = new ConfigRegistry(serverDataDir(server));
  switch (action) {
    case "list": {
      noMore(rest, 0);
      for (const id of await registry.list()) io.out(id);
      return 0;
    }
    case "get": {
      const id = gatewayId(rest, 1);
      const registered = await registry.get(id);
      if (!registered) return notFound(io, id);
      io.out(JSON.stringify(registered.config, null, 2));
      return 0;
    }
    case "set": {
      const id = gatewayId(rest, 1);
      const file = values.file as string | undefined;
      if (!file) throw new UsageError("ctvs config set requires --file <config.json>", USAGE);
      const { etag, warnings } = await registry.set(id, await readConfigFile(file));
      for (const warning of warnings) io.err(warning);
      io.out(`✓ Wrote config for ${id} (etag ${etag})`);
      return 0;
    }
    case "delete": {
      const id = gatewayId(rest, 1);
      if (!(await registry.has(id))) return notFound(io, id);
      if (!values.yes) {
        if (!stdinIsTTY) {
          io.err("error: refusing to delete without --yes (no TTY for confirmation)");
          return 1;
        }
        const answer = (await host.ask(`Delete config for ${id}? [y/N] `)).trim().toLowerCase();
        if (answer !== "y" && answer !== "yes") {
          io.out("Nothing deleted.");
          return 0;
        }
      }
      if (!(await registry.delete(id))) return notFound(io, id);
      io.out(`✓ Deleted config for ${id}`);
      io.err(`${id} is revoked: its JWT no longer refreshes, polls or ships until a config is set again.`);
      return 0;
    }
    case "bootstrap-token":
      return await bootstrapToken(rest, values, server, registry, io, host.env);
    default:
      throw new UsageError(`unknown subcommand: ${action}`, USAGE);
  }
}

async function bootstrapToken(
  rest: string[],
  values: Record<string, unknown>,
  server: ServerConfig,
  registry: ConfigRegistry,
  io: Io,
  env: Record<string, string | undefined>,
): Promise<number> {
  const [verb, ...args] = rest;
  if (verb !== "issue" && verb !== "revoke") {
    throw new UsageError(
      verb === undefined
        ? "missing action: bootstrap-token issue or revoke"
        : `unknown action: bootstrap-token ${verb}`,
      USAGE,
    );
  }
  const id = gatewayId(args, 1);
  const storePath = server.identity_issuer.bootstrap_store_path;
  if (!storePath) {
    io.err(
      "error: server.identity_issuer.bootstrap_store_path is not set in the server config; " +
        "set it (for example to <data_dir>/bootstrap-tokens.json) so gateways can bootstrap",
    );
    return 1;
  }
  const tokens = new BootstrapTokens(path.resolve(expandHome(storePath)));
  if (verb === "revoke") {
    io.out(`✓ Revoked ${await tokens.revoke(id)} unused bootstrap token(s) for ${id}`);
    return 0;
  }
  const rendezvous = values.rendezvous as string | undefined;
  if (rendezvous !== undefined) {
    if (!isHttpUrl(rendezvous)) {
      throw new UsageError(`--rendezvous must be an http(s) URL (got "${rendezvous}")`, USAGE);
    }
    return await issueInvite(
      server,
      {
        gatewayId: id,
        rendezvous,
        token: values["rendezvous-token"] as string | undefined,
        maxUses: positiveFlag(values["max-uses"] as string | undefined, "--max-uses"),
        ttlSeconds: positiveFlag(values["ttl-seconds"] as string | undefined, "--ttl-seconds"),
        centralUrl: publicUrl(server),
      },
      env,
      io,
      USAGE,
    );
  }
  for (const flag of ["rendezvous-token", "max-uses"]) {
    if (values[flag] !== undefined) {
      throw new UsageError(`--${flag} goes with --rendezvous (a bootstrap token is for one gateway, once)`, USAGE);
    }
  }
  const ttl = positiveFlag(values["ttl-seconds"] as string | undefined, "--ttl-seconds") ??
    server.identity_issuer.bootstrap_ttl_seconds ?? DEFAULT_BOOTSTRAP_TTL_SECONDS;
  const { token, expiresAt } = await tokens.issue(id, ttl);
  io.out(token);
  io.err(`Token issued for ${id}; expires at ${new Date(expiresAt * 1000).toISOString()}.`);
  if (!(await registry.has(id))) {
    io.err(
      `warning: no config is registered for ${id} yet: its gateway will start but cannot ship or poll until ` +
        `'ctvs config set ${id} --file <config.json>'`,
    );
  }
  const { url, guessed } = publicUrl(server);
  io.err("On the gateway host, run:");
  io.err(`  npx collectivus --config-endpoint='${url}/v1/bootstrap-config?token=${token}'`);
  // The package may not be on that host's registry (or not published yet); a ctvs installed there runs the same.
  io.err(`  (or, where ctvs is installed: ctvs --config-endpoint='${url}/v1/bootstrap-config?token=${token}')`);
  if (guessed) {
    io.err(`(${url} is a guess from control_plane_listen; set server.public_url to the address gateways use)`);
  }
  return 0;
}

/** The server block of the config named by `--server-config`, `--server-config-env` or the default file. */
async function serverConfig(values: Record<string, unknown>): Promise<ServerConfig> {
  const file = values["server-config"] as string | undefined;
  const variable = values["server-config-env"] as string | undefined;
  if (file !== undefined && variable !== undefined) {
    throw new UsageError("--server-config and --server-config-env are mutually exclusive", USAGE);
  }
  if (file === undefined && variable === undefined && !existsSync(defaultConfigPath())) {
    throw new UsageError(`--server-config <path> is required (there is no ${defaultConfigPath()})`, USAGE);
  }
  const source = configSourceFrom({ config: file, "config-env": variable }, USAGE);
  const { config } = await loadConfig(source);
  if (config.role !== "server" || !config.server) throw new ConfigError(NOT_A_SERVER);
  return config.server;
}

/** The URL gateways reach the server at: `public_url`, else a guess from the listen address. */
function publicUrl(server: ServerConfig): { url: string; guessed: boolean } {
  if (server.public_url) return { url: server.public_url.replace(/\/+$/, ""), guessed: false };
  const { hostname, port } = parseListen(server.control_plane_listen);
  const name = hostname === "0.0.0.0" || hostname === "::" ? os.hostname() : hostname;
  return { url: `http://${name.includes(":") ? `[${name}]` : name}:${port}`, guessed: true };
}

async function readConfigFile(file: string): Promise<unknown> {
  const resolved = path.resolve(expandHome(file));
  let text: string;
  try {
    text = await readFile(resolved, "utf8");
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw new ConfigError(`config file not found: ${resolved}`);
    throw new ConfigError(`failed to read ${resolved}: ${errorMessage(error)}`);
  }
  return parseConfigText(text, resolved);
}

function gatewayId(args: string[], count: number): string {
  noMore(args, count);
  const id = args[0];
  if (id === undefined) throw new UsageError("a gateway id is required", USAGE);
  if (!isValidGatewayId(id)) throw new UsageError(invalidGatewayIdMessage(id), USAGE);
  return id;
}

function noMore(args: string[], count: number): void {
  if (args.length > count) throw new UsageError(`unknown argument: ${args[count]}`, USAGE);
}

/** A positive whole number from a flag, or undefined when the flag is not given. */
function positiveFlag(value: string | undefined, flag: string): number | undefined {
  return value === undefined ? undefined : wholeNumberFlag(value, flag, USAGE, { positive: true });
}

function notFound(io: Io, id: string): number {
  io.err(`error: no config found for ${id}`);
  return 1;
}

/** The `ctvs config` command. */
export const configCommand: Command = {
  name: "config",
  summary: "on a Central server: gateway configs and bootstrap tokens",
  run: (argv, io) => runConfig(argv, io, currentHost(), Boolean(process.stdin.isTTY)),
};
