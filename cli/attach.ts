/**
 * `ctvs attach [--config <path> | --port <n>] [--client claude|codex|all]`: points Claude Code and/or Codex at the
 * local proxy. Load (flags, config, port) -> attach (platform/claude_code, platform/codex) -> render the lines.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { attachClaude, claudeSettingsPath } from "../platform/claude_code/attach.ts";
import { ConcurrentEditError } from "../platform/claude_code/guarded_file.ts";
import { hookCommand } from "../platform/claude_code/hook_command.ts";
import { SettingsError } from "../platform/claude_code/settings_error.ts";
import { baseUrl } from "../platform/claude_code/settings_edit.ts";
import { attachCodex, codexHome } from "../platform/codex/attach.ts";
import { loadConfig } from "../platform/config/load.ts";
import { parseListen } from "../platform/config/listen.ts";
import type { Config } from "../platform/config/types.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { expandHome } from "../platform/paths.ts";
import { installSkills, UnmanagedSkillError } from "../platform/skills/install_skills.ts";
import { VERSION } from "../platform/version.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs attach [--config <path> | --port <n>] [--client claude|codex|all]

Points Claude Code (~/.claude/settings.json) and/or Codex ($CODEX_HOME/config.toml) at the local proxy.
Comments and other settings are kept; \`ctvs detach\` undoes it exactly. A Claude Code attach also installs
the Claude skills (~/.claude/skills; see \`ctvs skills install\`).

Options:
  --config <path>   the config whose proxy.listen gives the port (default: ~/.hyp/collectivus.json)
  --port <n>        the proxy port, instead of a config
  --client <name>   claude (default), codex, or all
  -h, --help        show this help`;

/** `--client`, shared by attach, detach and skills. */
export const CLIENT_FLAG = { type: "string", requires: "--client requires claude, codex, or all" } as const;

/** The clients a `--client` value names; throws a UsageError for anything else. */
export function parseClients(value: unknown, usage: string): ("claude" | "codex")[] {
  const client = value ?? "claude";
  if (client === "all") return ["claude", "codex"];
  if (client === "claude" || client === "codex") return [client];
  throw new UsageError(`--client: expected claude, codex, or all (got "${client}")`, usage);
}

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  port: { type: "string", requires: "--port requires a number" },
  client: CLIENT_FLAG,
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `ctvs attach` against `host`. */
export async function runAttach(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const clients = parseClients(values.client, USAGE);
  if (values.config !== undefined && values.port !== undefined) {
    throw new UsageError("--config and --port are mutually exclusive", USAGE);
  }
  let config: Config | undefined;
  let port: number;
  if (values.port !== undefined) {
    port = Number(values.port);
    if (!/^\d+$/.test(String(values.port)) || port < 1 || port > 65535) {
      throw new UsageError(`--port: not a valid port (got "${values.port}")`, USAGE);
    }
  } else {
    const fallback = path.join(host.home, ".hyp", "collectivus.json");
    const file = values.config as string | undefined ?? (fs.existsSync(fallback) ? fallback : undefined);
    if (file === undefined) throw new UsageError("one of --config or --port is required", USAGE);
    config = (await loadConfig({ kind: "file", path: expandHome(file) })).config;
    if (!config.proxy?.listen) {
      io.err("error: config must define `proxy.listen` to derive the attach port");
      return 1;
    }
    port = parseListen(config.proxy.listen).port;
  }
  if (clients.includes("codex") && config && !routesResponses(config)) {
    io.err(
      'error: Codex attach requires a proxy upstream that routes /v1/responses (for OpenAI, use match.path_prefix "/v1" with base_url "https://api.openai.com")',
    );
    return 1;
  }
  return await attachClients(clients, port, io, host, { skills: true });
}

/** Attaches each client and prints what changed; shared with `ctvs install` and the walkthrough. */
export async function attachClients(
  clients: ("claude" | "codex")[],
  port: number,
  io: Io,
  host: Host,
  options: { skills?: boolean } = {},
): Promise<number> {
  const attachedAt = host.now().toISOString();
  try {
    for (const client of clients) {
      if (client === "claude") {
        const file = claudeSettingsPath(host.home);
        const command = hookCommand(host.program, port);
        const { previousBaseUrl } = await attachClaude(file, { port, command, attachedAt, version: VERSION });
        io.out(`✓ Claude Code attached (${file})`);
        io.out(`  ANTHROPIC_BASE_URL = ${baseUrl(port)}`);
        if (previousBaseUrl && previousBaseUrl !== baseUrl(port)) {
          io.out(`  (previous ANTHROPIC_BASE_URL was ${previousBaseUrl}; \`ctvs detach\` restores it)`);
        }
        if (options.skills) await installClaudeSkills(io, host);
      } else {
        const file = path.join(codexHome(host.home, host.env), "config.toml");
        await attachCodex(file, { port, attachedAt, version: VERSION });
        io.out(`✓ Codex attached (${file})`);
        io.out("  model_provider = collectivus");
        io.out(`  base_url = ${baseUrl(port)}/v1`);
      }
    }
  } catch (error) {
    if (error instanceof SettingsError || error instanceof ConcurrentEditError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  return 0;
}

/** The Claude skills that come with an attach (reference §2.6, from 3.0); a failure only warns. */
export async function installClaudeSkills(io: Io, host: Host): Promise<void> {
  try {
    for (const r of await installSkills({ home: host.home, env: host.env, clients: ["claude"], now: host.now() })) {
      io.out(`  ${r.action === "installed" ? "Installed" : "Updated"} Claude skill ${r.skill} (${r.dir})`);
    }
  } catch (error) {
    const why = error instanceof UnmanagedSkillError ? error.message : String(error);
    io.err(
      `warning: failed to install Claude helper skills: ${why}; run 'ctvs skills install --client claude' to retry`,
    );
  }
}

/** Whether some upstream would receive `POST /v1/responses`. */
function routesResponses(config: Config): boolean {
  return (config.proxy?.upstreams ?? []).some((u) => "/v1/responses".startsWith(u.match.path_prefix));
}

/** The `ctvs attach` command. */
export const attachCommand: Command = {
  name: "attach",
  summary: "point Claude Code and/or Codex at the local proxy",
  run: (argv, io) => runAttach(argv, io, currentHost()),
};
