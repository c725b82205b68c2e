/**
 * `ctvs install [--config <path>] [--yes|--no]`: runs ctvs as a background daemon (systemd user unit on Linux,
 * launchd agent on macOS) and offers to attach Claude Code. Load (program, config) -> install -> attach -> render.
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { loadConfig } from "../platform/config/load.ts";
import type { Config } from "../platform/config/types.ts";
import { defaultEnvFilePath, exposedToOthers, readEnvFile } from "../platform/env_file.ts";
import { errorMessage } from "../platform/runtime.ts";
import { credentialSource } from "../storage/s3/credentials.ts";
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

const USAGE = `Usage: ctvs install [--config <path>] [--env-file <path>] [--yes | --no]

Installs ctvs as a background daemon: a systemd user unit on Linux, a launchd agent on macOS.
Reinstalling replaces the unit and restarts the daemon.

A daemon does not see your shell's variables. Secrets it needs (AWS keys for an upload block, *_env values of the
config) go in an environment file, one NAME=value a line, readable only by you (mode 0600): the unit reads it
(systemd EnvironmentFile=), the launchd agent passes it to ctvs (--env-file). Its values never enter the unit.

Options:
  --config <path>     the config the daemon runs (default: ~/.hyp/collectivus.json)
  --env-file <path>   the daemon's environment file (default: ~/.hyp/collectivus.env when it exists)
  -y, --yes           also attach Claude Code to the proxy, without asking
  -n, --no            do not attach Claude Code
  -h, --help          show this help`;

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  "env-file": { type: "string", requires: "--env-file requires a path" },
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
  const envFile = await daemonEnvFile(values["env-file"] as string | undefined, config, io, host);
  if (envFile === null) return 1;
  const logs = logDir(host.home);
  const spec = { program: host.program, configPath, logDir: logs, ...(envFile ? { envFile } : {}) };
  try {
    await backend.install(host.home, spec, host.runner);
  } catch (error) {
    io.err(`error: the daemon was not installed: ${errorMessage(error)}`);
    io.err(
      `hint: ${backend.failureHint}. Without the daemon, run the collector in a terminal: ctvs --config ${configPath}` +
        (config.proxy ? "; `ctvs attach` points Claude Code at it" : ""),
    );
    return 1;
  }
  io.out(`✓ Daemon installed (${backend.kind})`);
  if (envFile) io.out(`  Environment: ${envFile}`);
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

/**
 * The daemon's environment file: `--env-file`, else `~/.hyp/collectivus.env` when it exists, else none. It must
 * parse; one others may read is tightened to 0600. With an `upload` block, it must hold AWS credentials, or the
 * daemon would refuse to start and be restarted for ever. Returns null after reporting why it cannot be used.
 */
async function daemonEnvFile(
  given: string | undefined,
  config: Config,
  io: Io,
  host: Host,
): Promise<string | undefined | null> {
  const fallback = defaultEnvFilePath(host.home);
  const file = given !== undefined ? path.resolve(expandHome(given)) : fs.existsSync(fallback) ? fallback : undefined;
  let values: Record<string, string> = {};
  if (file !== undefined) {
    try {
      const read = await readEnvFile(file);
      values = read.values;
      if (exposedToOthers(read.mode)) {
        await fs.promises.chmod(file, 0o600);
        io.out(`  (${file} was readable by other users; its mode is now 0600)`);
      }
    } catch (error) {
      io.err(`error: ${errorMessage(error)}`);
      return null;
    }
  }
  if (config.upload && !credentialSource(values)) {
    io.err(
      `error: the config has an upload block, but the daemon would have no AWS credentials: ` +
        `it does not see your shell's variables.\n` +
        `Put AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... lines in ${file ?? fallback} (chmod 600), ` +
        `then run \`ctvs install${given !== undefined ? ` --env-file ${file}` : ""}\` again.`,
    );
    return null;
  }
  return file;
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
