/**
 * `ctvs detach [--client claude|codex|all]`: undoes `ctvs attach`. The file is restored byte for byte when nothing
 * else changed it; otherwise only what attach added is removed. Idempotent.
 *
 * @module
 */
import path from "node:path";
import { claudeSettingsPath, detachClaude } from "../platform/claude_code/attach.ts";
import { ConcurrentEditError } from "../platform/claude_code/guarded_file.ts";
import { SettingsError } from "../platform/claude_code/settings_error.ts";
import { codexHome, detachCodex } from "../platform/codex/attach.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { CLIENT_FLAG, parseClients } from "./attach.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

const USAGE = `Usage: ctvs detach [--client claude|codex|all]

Undoes \`ctvs attach\`: restores Claude Code's settings.json and/or Codex's config.toml.

Options:
  --client <name>   claude (default), codex, or all
  -h, --help        show this help`;

const FLAGS = { client: CLIENT_FLAG, help: { type: "boolean", short: "h" } } as const;

/** Runs `ctvs detach` against `host`. */
export async function runDetach(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  return await detachClients(parseClients(values.client, USAGE), io, host);
}

/** Detaches each client and prints what happened; shared with `ctvs uninstall`. */
export async function detachClients(clients: ("claude" | "codex")[], io: Io, host: Host): Promise<number> {
  try {
    for (const client of clients) {
      const claude = client === "claude";
      const name = claude ? "Claude Code" : "Codex";
      const file = claude ? claudeSettingsPath(host.home) : path.join(codexHome(host.home, host.env), "config.toml");
      const { changed, warnings } = claude ? await detachClaude(file) : await detachCodex(file);
      for (const warning of warnings) io.err(`warning: ${warning}`);
      io.out(changed ? `✓ ${name} detached (${file})` : `(${name} was not attached)`);
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

/** The `ctvs detach` command. */
export const detachCommand: Command = {
  name: "detach",
  summary: "undo `ctvs attach`",
  run: (argv, io) => runDetach(argv, io, currentHost()),
};
