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
import type { Config } from "../platform/config/types.ts";
import { outboxDir, serverSinkDir } from "../platform/fleet_paths.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { serviceBackend } from "../platform/daemon/service.ts";
import { logDir } from "../platform/daemon/service_spec.ts";
import type { ServiceState } from "../platform/daemon/service_state.ts";
import { exposedToOthers } from "../platform/env_file.ts";
import { unlessMissing } from "../platform/fs_error.ts";
import { isAlive } from "../platform/pid_file.ts";
import { errorMessage } from "../platform/runtime.ts";
import { readVendedConfig } from "../server/gateway/vended_config.ts";
import { type CollectorStatus, readStatusFile } from "../server/status_file.ts";
import { outboxStats } from "../storage/outbox/outbox.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

const USAGE = `Usage: ctvs status

Shows the daemon (systemd or launchd state, PID, logs), the config it runs, the recording failures of the running
collector (rows not written, stream events dropped, the last error), and whether Claude Code and Codex are attached.
Exit 1 when the config is invalid, or a file it reads (Claude Code's settings, the Codex config, the collector's
status) exists but cannot be read or parsed.`;

/** The listeners and sink of a config, then its fleet role. */
async function configStatus(io: Io, config: Config): Promise<void> {
  if (config.proxy) io.out(`  proxy: ${config.proxy.listen}`);
  if (config.otel) io.out(`  otel:  ${config.otel.listen}`);
  if (config.sink) io.out(`  sink:  ${config.sink.dir}`);
  await fleetStatus(io, config);
}

/** A gateway's Central and what waits in its outbox; a Central server's control plane and ingest directory. */
async function fleetStatus(io: Io, config: Config): Promise<void> {
  if (config.role === "server" && config.server) {
    io.out(`  role:  server (control plane ${config.server.control_plane_listen})`);
    io.out(`  ingest: ${serverSinkDir(config.server)}`);
  }
  if (config.role !== "gateway" || !config.central_server) return;
  io.out(`  role:  gateway of ${config.central_server.url}`);
  const dir = outboxDir(config.central_server);
  const stats = Object.values(await outboxStats(dir));
  const batches = stats.reduce((sum, s) => sum + s.batches, 0);
  const bytes = stats.reduce((sum, s) => sum + s.bytes, 0);
  const failed = stats.reduce((sum, s) => sum + s.failed, 0);
  io.out(`  outbox: ${dir}: ${batches} batch(es) waiting (${(bytes / 1e6).toFixed(1)} MB)`);
  if (failed > 0) io.out(`  outbox: ${failed} poison batch(es) Central refused, in ${dir}/<signal>/failed/`);
}

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
  let unitConfig: string | undefined;
  try {
    const unit = state && (await daemonFiles(state.file));
    unitConfig = unit?.config;
    if (unit?.envFile) io.out(`  Environment: ${unit.envFile} (${await envFileState(unit.envFile)})`);
  } catch (error) {
    io.out(`  Config: unknown (${errorMessage(error)})`);
    code = 1;
  }
  const configPath = unitConfig ?? path.join(host.home, ".hyp", "collectivus.json");
  io.out("");
  io.out("Config");
  io.out(`  Path: ${configPath}`);
  try {
    const { config } = await loadConfig({ kind: "file", path: configPath });
    io.out("  Status: valid");
    await configStatus(io, config);
  } catch (error) {
    const missing = /not found/.test(errorMessage(error));
    io.out(`  Status: ${missing ? "missing" : `invalid (${errorMessage(error)})`}`);
    if (!missing) code = 1;
    // A gateway started from a setup URL (--config-endpoint) has no config file: it runs what Central vended last.
    const vendedFile = path.join(host.home, ".hyp", "collectivus", "gateway-config.json");
    const vended = missing && !unitConfig ? await readVendedConfig(vendedFile) : undefined;
    if (vended) {
      io.out(`  Vended: ${vendedFile} (saved ${vended.savedAt}), which a gateway started with --config-endpoint runs`);
      await configStatus(io, vended.config);
    }
  }
  if (!(await recordingStatus(io, path.join(host.home, ".collectivus", "runtime", "collectivus.status.json")))) {
    code = 1;
  }
  const settings = claudeSettingsPath(host.home);
  io.out("");
  io.out("Claude Code");
  try {
    const text = await unlessMissing(fs.readFile(settings, "utf8"), "read", settings);
    const marker = text === undefined ? undefined : parsedMarker(text);
    io.out(`  Status: ${marker ? "attached" : "not attached"}`);
    if (marker) {
      io.out(`  Attached at: ${marker.attached_at}   Port: ${marker.port}   Marker version: ${marker.version}`);
    }
  } catch (error) {
    io.out(`  Status: unknown (${errorMessage(error)})`);
    code = 1;
  }
  io.out(`  Settings: ${settings}`);
  const toml = path.join(codexHome(host.home, host.env), "config.toml");
  io.out("");
  io.out("Codex");
  try {
    const codex = (await unlessMissing(fs.readFile(toml, "utf8"), "read", toml)) ?? "";
    io.out(`  Status: ${/^# BEGIN collectivus codex provider$/m.test(codex) ? "attached" : "not attached"}`);
  } catch (error) {
    io.out(`  Status: unknown (${errorMessage(error)})`);
    code = 1;
  }
  io.out(`  Config: ${toml}`);
  return code;
}

/**
 * Prints the recording failures a collector published in `file` (see `server/status_file.ts`). Returns false when
 * the file exists but cannot be read.
 */
async function recordingStatus(io: Io, file: string): Promise<boolean> {
  io.out("");
  io.out("Recording");
  let status: CollectorStatus | undefined;
  try {
    status = await readStatusFile(file);
  } catch (error) {
    io.out(`  Status: unknown (${errorMessage(error)})`);
    return false;
  }
  if (!status) {
    io.out(`  Status: no collector has run yet (${file} is missing)`);
    return true;
  }
  const running = !status.stopped_at && isAlive(status.pid);
  const since = running
    ? `running since ${status.started_at}`
    : `not running (stopped ${status.stopped_at ?? "unexpectedly"})`;
  io.out(`  Collector: PID ${status.pid}, ${since}`);
  const { recording } = status;
  const bySignal = (key: "failed_rows" | "dropped_rows") =>
    Object.entries(recording.signals).filter(([, s]) => s[key] > 0).map(([name, s]) => `${name} ${s[key]}`).join(", ");
  if (recording.failed_rows === 0 && recording.dropped_rows === 0) io.out("  Failures: none");
  else {
    const parts = [];
    if (recording.failed_rows) parts.push(`${recording.failed_rows} row(s) not written (${bySignal("failed_rows")})`);
    if (recording.dropped_rows) {
      parts.push(
        `${recording.dropped_rows} stream event(s) dropped while the disk was behind (${bySignal("dropped_rows")})`,
      );
    }
    io.out(`  Failures: ${parts.join("; ")}`);
  }
  if (recording.last_error) {
    io.out(`  Last error: ${recording.last_error.at} ${recording.last_error.signal}: ${recording.last_error.message}`);
  }
  if (recording.last_write_at) io.out(`  Last write: ${recording.last_write_at}`);
  io.out(`  Status file: ${file}`);
  return true;
}

function daemonStatus(state: ServiceState | undefined): string {
  if (!state) return "not supported on this platform (run `ctvs` under your own service manager)";
  const active = state.active ? `, ${state.active}` : "";
  if (state.loaded && state.pid) return `loaded (PID ${state.pid}${active})`;
  if (state.loaded) return `loaded (no PID; daemon may have exited${active})`;
  return state.installed ? "installed but not loaded" : "not installed";
}

/** The collectivus marker of Claude Code's settings; throws saying the file could not be parsed. */
function parsedMarker(text: string): ReturnType<typeof readMarker> {
  try {
    return readMarker(text);
  } catch (error) {
    throw new Error(`settings.json could not be parsed: ${errorMessage(error)}`);
  }
}

/** The `--config` argument inside the unit or plist; undefined without one (or without the file). */
/** The config path and environment file the unit or plist at `file` runs with. */
async function daemonFiles(file: string): Promise<{ config?: string; envFile?: string }> {
  const text = (await unlessMissing(fs.readFile(file, "utf8"), "read", file)) ?? "";
  const config = /--config"?\s+"?([^"\n]+?)"?\s*$/m.exec(text)?.[1] ??
    /<string>--config<\/string>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
  const envFile = /^EnvironmentFile=(.+)$/m.exec(text)?.[1].replaceAll("%%", "%") ??
    /<string>--env-file<\/string>\s*<string>([^<]+)<\/string>/.exec(text)?.[1];
  return { config, envFile };
}

/** `mode 0600`, `missing`, or what is wrong with the daemon's environment file. */
async function envFileState(file: string): Promise<string> {
  try {
    const stat = await unlessMissing(fs.stat(file), "read", file);
    if (!stat) return "missing: the daemon cannot start";
    const mode = `mode ${(stat.mode & 0o777).toString(8).padStart(4, "0")}`;
    return exposedToOthers(stat.mode) ? `${mode}: other users may read it; chmod 600 it` : mode;
  } catch (error) {
    return `unreadable: ${errorMessage(error)}`;
  }
}

async function size(file: string): Promise<string> {
  let stat;
  try {
    stat = await unlessMissing(fs.stat(file), "read", file);
  } catch (error) {
    return `unreadable: ${errorMessage(error)}`;
  }
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
