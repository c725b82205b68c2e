/**
 * `ctvs uninstall`: stops and removes the daemon and detaches Claude Code and Codex. Idempotent.
 *
 * @module
 */
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { serviceBackend } from "../platform/daemon/service.ts";
import type { Command } from "./command.ts";
import { detachClients } from "./detach.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

const USAGE = `Usage: ctvs uninstall [--keep-attached]

Stops and removes the daemon (systemd user unit or launchd agent), then detaches Claude Code and Codex.
Recordings and the config stay where they are.

Options:
  --keep-attached   leave Claude Code and Codex pointed at the proxy
  --detach          detach the clients (the default; accepted for compatibility)
  -h, --help        show this help`;

const FLAGS = {
  "keep-attached": { type: "boolean" },
  detach: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `ctvs uninstall` against `host`. */
export async function runUninstall(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const backend = serviceBackend(host.platform);
  const removed = backend ? await backend.uninstall(host.home, host.runner) : false;
  io.out(removed ? `✓ Daemon removed (${backend!.kind})` : "(no daemon installed)");
  if (values["keep-attached"]) return 0;
  return await detachClients(["claude", "codex"], io, host);
}

/** The `ctvs uninstall` command. */
export const uninstallCommand: Command = {
  name: "uninstall",
  summary: "remove the daemon and detach Claude Code and Codex",
  run: (argv, io) => runUninstall(argv, io, currentHost()),
};
