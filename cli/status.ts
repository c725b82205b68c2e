/**
 * `ctvs status`: is the daemon installed and running, is its config valid, are Claude Code and Codex attached.
 * Load (service manager, files) -> render. Exit 1 when the config is invalid or the settings cannot be parsed.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { claudeSettingsPath } from "../platform/claude_code/attach.ts";
import { readMarker } from "../platform/claude_code/settings_edit.ts";
import { codexHome } from "../platform/codex/attach.ts";
import { loadConfig } from "../platform/config/load.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { serviceBackend } from "../platform/daemon/service.ts";
import { logDir } from "../platform/daemon/service_spec.ts";
import type { ServiceState } from "../platform/daemon/service_state.ts";
import { errorMessage } from "../platform/runtime.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

const USAGE = `Usage: ctvs status

Shows the daemon (systemd or launchd state, PID, logs), the config it runs, and whether Claude Code and Codex
are attached. Exit 1 when the config is invalid or Claude Code's settings cannot be parsed.`;

/** Runs `ctvs status` against `host`. */
export async function runStatus(argv: string[], io: Io, host: Host): Promise<number> {
  const { values } = parseFlags(argv, { help: { type: "boolean", short: "h" } }, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  let code = 0;
  const backend = serviceBackend(host.platform);
  const state = backend ? await backend.state(host.home, host.runner) : undefined;
  io.out("Daemon");
  io.out(`  Status: ${daemonStatus(state)}`);
  if (state) {
    io.out(`  ${host.platform === "darwin" ? "Plist" : "Unit"}: ${state.file}${state.installed ? "" : " (missing)"}`);
  }
  const logs = logDir(host.home);
  io.out("  Logs:");
  for (const [name, file] of [["stdout", "collectivus.log"], ["stderr", "collectivus.err.log"]]) {
    io.out(`    ${name}: ${path.join(logs, file)} (${await size(path.join(logs, file))})`);
  }
  const configPath = (state && (await daemonConfig(state.file))) ?? path.join(host.home, ".hyp", "collectivus.json");
  io.out("");
  io.out("Config");
  io.out(`  Path: ${configPath}`);
  try {
    const { config } = await loadConfig({ kind: "file", path: configPath });
    io.out("  Status: valid");
    if (config.proxy) io.out(`  proxy: ${config.proxy.listen}`);
    if (config.otel) io.out(`  otel:  ${config.otel.listen}`);
    if (config.sink) io.out(`  sink:  ${config.sink.dir}`);
  } catch (error) {
    const missing = /not found/.test(errorMessage(error));
    io.out(`  Status: ${missing ? "missing" : `invalid (${errorMessage(error)})`}`);
    if (!missing) code = 1;
  }
  const settings = claudeSettingsPath(host.home);
  io.out("");
  io.out("Claude Code");
  try {
    const text = await fs.readFile(settings, "utf8").catch(() => undefined);
    const marker = text === undefined ? undefined : readMarker(text);
    io.out(`  Status: ${marker ? "attached" : "not attached"}`);
    if (marker) {
      io.out(`  Attached at: ${marker.attached_at}   Port: ${marker.port}   Marker version: ${marker.version}`);
    }
  } catch {
    io.out("  Status: unknown (settings.json could not be parsed)");
    code = 1;
  }
  io.out(`  Settings: ${settings}`);
  const toml = path.join(codexHome(host.home, host.env), "config.toml");
  const codex = await fs.readFile(toml, "utf8").catch(() => "");
  io.out("");
  io.out("Codex");
  io.out(`  Status: ${/^# BEGIN collectivus codex provider$/m.test(codex) ? "attached" : "not attached"}`);
  io.out(`  Config: ${toml}`);
  return code;
}

function daemonStatus(state: ServiceState | undefined): string {
  if (!state) return "not supported on this platform (run `ctvs` under your own service manager)";
  const active = state.active ? `, ${state.active}` : "";
  if (state.loaded && state.pid) return `loaded (PID ${state.pid}${active})`;
  if (state.loaded) return `loaded (no PID; daemon may have exited${active})`;
  return state.installed ? "installed but not loaded" : "not installed";
}

/** The `--config` argument inside the unit or plist. */
async function daemonConfig(file: string): Promise<string | undefined> {
  const text = await fs.readFile(file, "utf8").catch(() => "");
  return /--config"?\s+"?([^"\n]+?)"?\s*$/m.exec(text)?.[1] ??
    /<string>--config<\/string>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
}

async function size(file: string): Promise<string> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) return "missing";
  const units = ["B", "KB", "MB", "GB"];
  let n = stat.size;
  let i = 0;
  while (n >= 1024 && i < units.length - 1) [n, i] = [n / 1024, i + 1];
  return i === 0 ? `${n} B` : `${n.toFixed(1)} ${units[i]}`;
}

/** The `ctvs status` command. */
export const statusCommand: Command = {
  name: "status",
  summary: "show the daemon, its config, and which clients are attached",
  run: (argv, io) => runStatus(argv, io, currentHost()),
};
