/**
 * `ctvs [options]`: the collector runner. Loads and validates the config, starts the listeners, writes the PID
 * file, and handles signals: SIGINT/SIGTERM drain and stop, SIGHUP reloads a file config.
 *
 * @module
 */
import process from "node:process";
import { type ConfigSource, loadConfig } from "../platform/config/load.ts";
import { applyEnv, defaultEnvFilePath, exposedToOthers, readEnvFile } from "../platform/env_file.ts";
import { resolveSecrets } from "../platform/config/secrets.ts";
import type { Config, LoadedConfig } from "../platform/config/types.ts";
import { isAlive, readPid, removePidFile, writePidFile } from "../platform/pid_file.ts";
import { pidFilePath } from "../platform/paths.ts";
import { errorMessage, onSignal, type Signal } from "../platform/runtime.ts";
import { VERSION } from "../platform/version.ts";
import { useClaudeTranscripts } from "../query/transcripts.ts";
import { credentialSource, NO_CREDENTIALS_MESSAGE } from "../storage/s3/credentials.ts";
import { checkUploadSupported } from "../storage/upload/upload_settings.ts";
import { Collector, DRAIN_TIMEOUT_MS } from "../server/collector.ts";
import { Gateway } from "../server/gateway/gateway.ts";
import { loadVendedConfig, saveVendedConfig, vendedConfigPath } from "../server/gateway/vended_config.ts";
import type { ListenerFactory } from "../server/listener.ts";
import { listenerFactories } from "../server/listeners.ts";
import type { SessionRowsFactory } from "../server/gascity/types.ts";
import { publishStatus, statusFileFor } from "../server/status_file.ts";
import type { SinkHealth } from "../storage/sink_health.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

/** The runner's usage; `commandList` is appended by the dispatcher. */
export function runnerUsage(commandList: string): string {
  return `Usage: ctvs [options]
       ctvs <command> [options]

Runs the collector as the config's role asks: standalone (the OTLP/HTTP receiver, the recording LLM proxy and the
daily archive, recording locally), gateway (the same listeners, shipping through a durable outbox to a Central
server that vends their config) or server (a Central server's control plane and ingest).

${CONFIG_FLAGS_HELP}

Options:
  --env-file <path>         set the variables of this file (NAME=value lines) that are not already set,
                            before anything else: how a daemon gets AWS keys and other secrets (ctvs install)
  --print-config            load and validate the config, print it as JSON, exit
  --pid-file <path>         where the daemon writes its PID (default for the standalone role:
                            ~/.collectivus/runtime/collectivus.pid; other roles write one only when asked)
  -h, --help                show this help
  -V, -v, --version         print the version
${commandList}
Signals: SIGINT or SIGTERM drain in-flight work (at most ${DRAIN_TIMEOUT_MS / 1000} s) and stop;
SIGHUP re-reads a config file and restarts only the listeners whose section changed (a gateway polls
its Central server for its config instead).
Exit codes: 0 ok, 1 runtime or config failure, 2 usage error.`;
}

const FLAGS = {
  ...CONFIG_FLAGS,
  "print-config": { type: "boolean" },
  "env-file": { type: "string", requires: "--env-file requires a path" },
  "pid-file": { type: "string", requires: "--pid-file requires a path" },
  "help": { type: "boolean", short: "h" },
  "version": { type: "boolean", short: "V" },
  // `-v` is a second short form of --version, as in the original ctvs.
  "version-v": { type: "boolean", short: "v" },
} as const;

/** What tests and embedders may swap. */
export interface RunOptions {
  /** Listener factories (default: the role's listeners, the uploader writing query/'s Parquet). */
  factories?: readonly ListenerFactory[];
  /** How a gateway reaches Central (default the global fetch). */
  fetch?: typeof fetch;
  /** The list of subcommands shown in `--help`. */
  commandList?: string;
}

/**
 * Runs the collector until a signal stops it. Resolves with the exit code; throws `UsageError` and
 * `ConfigError` for the dispatcher to report.
 */
export async function runCollector(argv: string[], io: Io, options: RunOptions = {}): Promise<number> {
  const usage = runnerUsage(options.commandList ?? "");
  const { values } = parseFlags(argv, FLAGS, usage);
  if (values.help) {
    io.out(usage);
    return 0;
  }
  if (values.version || values["version-v"]) {
    io.out(VERSION);
    return 0;
  }
  const envFile = values["env-file"] as string | undefined;
  // First: the config may name variables the file sets (--config-env, *_env secrets, AWS keys).
  if (envFile !== undefined && !(await loadEnvFile(envFile, io))) return 1;
  const source = configSourceFrom(values, usage);
  const fromEndpoint = values["config-endpoint"] !== undefined;
  const loaded = await loadRunConfig(source, fromEndpoint, values.strict === true, io);
  for (const warning of loaded.warnings) io.err(warning);
  // The daily archive derives proxy_messages, which reads Claude Code transcripts from here.
  useClaudeTranscripts(loaded.config.query?.claude_transcripts_dir);
  if (values["print-config"]) {
    io.out(JSON.stringify(loaded.config, null, 2));
    return 0;
  }
  const role = loaded.config.role ?? "standalone";

  // Fail at start, not at the first tick hours later (reference §2.2 step 2).
  if (loaded.config.upload) checkUploadSupported(loaded.config.upload);
  if (loaded.config.upload && !credentialSource(process.env)) {
    io.err(`config error: ${NO_CREDENTIALS_MESSAGE}`);
    io.err(credentialsHint(envFile));
    return 1;
  }
  if (loaded.config.upload && !options.factories) {
    // The archive's writer needs DuckDB's native library: a platform without it fails now, not at the first tick.
    try {
      await import("../query/archive_parquet.ts");
    } catch (error) {
      io.err(`error: the daily archive (upload) needs DuckDB, which cannot load here: ${errorMessage(error)}`);
      return 1;
    }
  }

  const factories = options.factories ??
    listenerFactories({ parquetWriterFor: lazyArchiveWriter, loadGascityRows: loadGascityRows }, role);
  const config = resolveSecrets(loaded.config, process.env);
  const service = role === "gateway"
    ? gatewayService(new Gateway({ factories, out: io.out, err: io.err, fetch: options.fetch }))
    : collectorService(new Collector({ factories, out: io.out, err: io.err }), loaded, io, values.strict === true);
  // Signals are handled from before the first listener binds: a SIGTERM that arrives while starting still drains.
  const signals = handleSignals(service, io);
  // The PID file belongs to the standalone daemon (reference §2.2); other roles write one only when asked to.
  const explicitPidFile = values["pid-file"] as string | undefined;
  const pidFile = explicitPidFile ?? (role === "standalone" ? pidFilePath() : undefined);
  try {
    await service.start(config);
  } catch (error) {
    signals.dispose();
    io.err(`error: ${errorMessage(error)}`);
    if (/EADDRINUSE/.test(errorMessage(error))) io.err(await portTakenHint(pidFile));
    return 1;
  }
  if (pidFile) {
    try {
      const other = await writePidFile(pidFile);
      if (other) io.err(`warning: ${pidFile} named another running collectivus (pid ${other}); replaced it`);
    } catch (error) {
      io.err(`warning: cannot write the PID file ${pidFile}: ${errorMessage(error)}`);
    }
  }
  // Recording failures, for `ctvs status`: a file beside the PID file, rewritten when they change.
  const status = pidFile
    ? publishStatus(statusFileFor(pidFile), { pid: process.pid, config: loaded.source, health: service.health }, io.err)
    : undefined;
  signals.started();
  const code = await signals.stopped;
  await status?.stop();
  if (pidFile) {
    await removePidFile(pidFile).catch((error) => {
      io.err(`warning: cannot remove the PID file ${pidFile}: ${errorMessage(error)}`);
    });
  }
  return code;
}

/**
 * What to do about a listen address another process holds: most often a collector already running (the daemon, or
 * one left in another terminal), which the PID file names.
 */
async function portTakenHint(pidFile: string | undefined): Promise<string> {
  const running = pidFile ? await readPid(pidFile).catch(() => undefined) : undefined;
  const fix = "stop it, or give this config other listen addresses (a port of 0 picks a free one)";
  return running !== undefined && running !== process.pid && isAlive(running)
    ? `hint: ctvs is already running (pid ${running}, ${pidFile}; \`ctvs status\` shows it): ${fix}`
    : `hint: another program listens there: ${fix}`;
}

/** Sets the variables of `file` that are not set yet; reports and returns false when it cannot be read. */
async function loadEnvFile(file: string, io: Io): Promise<boolean> {
  try {
    const { values, mode } = await readEnvFile(file);
    if (exposedToOthers(mode)) {
      io.err(
        `warning: ${file} holds secrets but other users may read it (mode ${mode.toString(8).padStart(4, "0")}); ` +
          `run \`chmod 600 ${file}\``,
      );
    }
    applyEnv(values, process.env);
    return true;
  } catch (error) {
    io.err(`config error: ${errorMessage(error)}`);
    return false;
  }
}

/** What to do when `upload` has no credentials: the daemon's environment file, which `ctvs install` wires up. */
export function credentialsHint(envFile: string | undefined): string {
  const file = envFile ?? defaultEnvFilePath();
  return envFile !== undefined
    ? `hint: add AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... lines to ${file} (chmod 600), then restart ctvs`
    : `hint: for a daemon installed with \`ctvs install\`, put AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... ` +
      `lines in ${file} (chmod 600) and run \`ctvs install\` again; it passes the file to the daemon ` +
      `(or run ctvs with --env-file <path>)`;
}

/**
 * Loads the config. A gateway started from `--config-endpoint` keeps the config it was vended, and when the endpoint
 * no longer answers (its one-shot token spent by the first start, or Central down) starts from the config Central
 * vended last instead, with a warning: the config poll brings it up to date once Central answers.
 */
async function loadRunConfig(
  source: ConfigSource,
  fromEndpoint: boolean,
  strict: boolean,
  io: Io,
): Promise<LoadedConfig> {
  if (!fromEndpoint || source.kind !== "url") return await loadConfig(source, { strict });
  try {
    const loaded = await loadConfig(source, { strict });
    if (loaded.config.role === "gateway") {
      await saveVendedConfig(loaded.config).catch((error) => {
        io.err(`warning: cannot keep the vended config: ${errorMessage(error)}`);
      });
    }
    return loaded;
  } catch (error) {
    const last = await loadVendedConfig(source.url);
    if (!last) throw error;
    io.err(
      `warning: ${errorMessage(error)}; starting from the config Central vended last ` +
        `(${vendedConfigPath()}, saved ${last.savedAt})`,
    );
    return { config: last.config, kind: "url", source: source.url, warnings: [] };
  }
}

/** What the runner drives, whatever the role. */
interface Service {
  /** Its recording failures (for the status file). */
  health: SinkHealth;
  start(config: Config): Promise<void>;
  stop(deadlineMs: number): Promise<{ timedOut: boolean }>;
  /** What SIGHUP does. */
  hangup(): Promise<void>;
}

/** A gateway: SIGHUP polls Central for its config. */
function gatewayService(gateway: Gateway): Service {
  return {
    health: gateway.health,
    start: (config) => gateway.start(config),
    stop: (deadlineMs) => gateway.stop(deadlineMs),
    hangup: () => Promise.resolve(gateway.hangup()),
  };
}

/** A standalone collector or a Central server: SIGHUP re-reads a config file and reloads what changed. */
function collectorService(collector: Collector, loaded: LoadedConfig, io: Io, strict: boolean): Service {
  const role = loaded.config.role ?? "standalone";
  return {
    health: collector.health,
    start: (config) => collector.start(config),
    stop: (deadlineMs) => collector.stop(deadlineMs),
    async hangup() {
      if (loaded.kind !== "file") {
        io.err(`warning: SIGHUP ignored: the config came from ${loaded.source}, and only a file can be re-read`);
        return;
      }
      io.out("local reload: applying config");
      let next;
      try {
        next = await loadConfig({ kind: "file", path: loaded.source }, { strict });
        for (const warning of next.warnings) io.err(warning);
        if ((next.config.role ?? "standalone") !== role) throw new Error("the role cannot change on reload");
        next = { ...next, config: resolveSecrets(next.config, process.env) };
      } catch (error) {
        io.err(`config error: ${errorMessage(error)}; keeping the running config`);
        return;
      }
      await collector.reload(next.config);
    },
  };
}

/** A second stop signal sooner than this after the first is the same signal delivered twice, not a "force". */
export const DUPLICATE_SIGNAL_MS = 500;

interface SignalHandling {
  /** Resolves with the exit code once SIGINT/SIGTERM has stopped the collector. */
  stopped: Promise<number>;
  /** Tells the handlers the collector is up; signals that came earlier are acted on now. */
  started(): void;
  /** Removes the handlers (the collector did not start). */
  dispose(): void;
}

/** SIGINT/SIGTERM drain and stop the service; SIGHUP is its `hangup`. */
function handleSignals(service: Service, io: Io): SignalHandling {
  let markStarted!: () => void;
  const up = new Promise<void>((resolve) => markStarted = resolve);
  const removers: (() => void)[] = [];
  const dispose = () => {
    for (const remove of removers.splice(0)) remove();
  };
  const stopped = new Promise<number>((resolve) => {
    let stopping = false;
    let firstSignalAt = 0;
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      dispose();
      resolve(code);
    };
    const shutdown = (signal: Signal) => {
      if (stopping) {
        // One Ctrl-C can arrive twice: from the terminal and forwarded by a parent such as `deno task`.
        if (Date.now() - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
        io.err(`warning: received ${signal} again; exiting without waiting for the drain`);
        finish(1);
        return;
      }
      stopping = true;
      firstSignalAt = Date.now();
      io.out(`Received ${signal}, shutting down...`);
      up.then(() => service.stop(DRAIN_TIMEOUT_MS)).then(({ timedOut }) => {
        if (finished) return;
        if (timedOut) io.err(`warning: drain exceeded ${DRAIN_TIMEOUT_MS}ms; forcing exit`);
        io.out("Shutdown complete.");
        finish(0);
      }, (error) => {
        io.err(`error: shutdown failed: ${errorMessage(error)}`);
        finish(1);
      });
    };
    const reload = async () => {
      await up;
      if (stopping) return;
      await service.hangup();
    };
    removers.push(onSignal("SIGINT", () => shutdown("SIGINT")));
    removers.push(onSignal("SIGTERM", () => shutdown("SIGTERM")));
    removers.push(onSignal("SIGHUP", () => void reload()));
  });
  return { stopped, started: markStarted, dispose };
}

/** The maker of `gascity_messages` rows: the transcript normalizer and the price table, loaded with the first city. */
async function loadGascityRows(): Promise<SessionRowsFactory> {
  return (await import("../query/gascity/message_rows.ts")).gascitySessionRows;
}

/**
 * The archive's Parquet writer, loaded only when `upload` is configured: it brings DuckDB's native library (about
 * 20 MiB of RSS), which a collector without `upload` never needs.
 */
function lazyArchiveWriter(config: Config): ParquetWriter {
  return async (root, job, output) => {
    const { archiveParquetWriter } = await import("../query/archive_parquet.ts");
    return await archiveParquetWriter(config)(root, job, output);
  };
}
