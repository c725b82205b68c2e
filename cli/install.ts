/**
 * `ctvs install [--config <path>] [--yes|--no]`: runs ctvs as a background daemon (systemd user unit on Linux,
 * launchd agent on macOS) and offers to attach Claude Code. Load (program, config) -> install -> attach -> render.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../platform/config/load.ts";
import { parseListen } from "../platform/config/listen.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { isNpxPath, NPX_MESSAGE } from "../platform/daemon/program.ts";
import { serviceBackend } from "../platform/daemon/service.ts";
import { logDir } from "../platform/daemon/service_spec.ts";
import { expandHome } from "../platform/paths.ts";
import { attachClients } from "./attach.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs install [--config <path>] [--yes | --no]

Installs ctvs as a background daemon: a systemd user unit on Linux, a launchd agent on macOS.
Reinstalling replaces the unit and restarts the daemon.

Options:
  --config <path>   the config the daemon runs (default: ~/.hyp/collectivus.json)
  -y, --yes         also attach Claude Code to the proxy, without asking
  -n, --no          do not attach Claude Code
  -h, --help        show this help`;

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  yes: { type: "boolean", short: "y" },
  no: { type: "boolean", short: "n" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `ctvs install` against `host`. */
export async function runInstall(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.yes && values.no) throw new UsageError("--yes and --no are mutually exclusive", USAGE);
  if (isNpxPath(host.program)) {
    io.err(`error: ${NPX_MESSAGE}`);
    return 1;
  }
  const fallback = path.join(host.home, ".hyp", "collectivus.json");
  const given = values.config as string | undefined;
  if (given === undefined && !fs.existsSync(fallback)) {
    io.err("error: --config is required\n\nhint: run `collectivus` with no arguments for interactive setup");
    return 2;
  }
  const configPath = path.resolve(given !== undefined ? expandHome(given) : fallback);
  const { config } = await loadConfig({ kind: "file", path: configPath });
  const backend = serviceBackend(host.platform);
  if (!backend) {
    io.err(
      `error: ctvs install supports Linux (systemd) and macOS (launchd), not ${host.platform}; ` +
        `run \`ctvs --config ${configPath}\` under your own service manager`,
    );
    return 1;
  }
  const logs = logDir(host.home);
  await backend.install(host.home, { program: host.program, configPath, logDir: logs }, host.runner);
  io.out(`✓ Daemon installed (${backend.kind})`);
  if (host.platform === "linux") io.out("  (run `loginctl enable-linger` to keep it running after you log out)");
  let code = 0;
  if (!config.proxy) {
    io.out("  Claude Code attach: skipped (no proxy configured)");
  } else if (await wantsAttach(values, io, host)) {
    code = await attachClients(["claude"], parseListen(config.proxy.listen).port, io, host);
  }
  io.out(`Logs: ${path.join(logs, "collectivus.log")}`);
  return code;
}

/** --yes, --no, a question on a TTY, or a warning and no. */
async function wantsAttach(values: Record<string, unknown>, io: Io, host: Host): Promise<boolean> {
  if (values.yes) return true;
  if (values.no) return false;
  if (!io.isTTY) {
    io.err(
      "warning: not a TTY and neither --yes nor --no provided; skipping Claude Code attach. " +
        "Run `ctvs attach` later to opt in.",
    );
    return false;
  }
  const answer = (await host.ask("Configure Claude Code to use this proxy? [Y/n] ")).trim().toLowerCase();
  return answer === "" || answer === "y" || answer === "yes";
}

/** The `ctvs install` command. */
export const installCommand: Command = {
  name: "install",
  summary: "run ctvs as a background daemon (systemd / launchd)",
  run: (argv, io) => runInstall(argv, io, currentHost()),
};
