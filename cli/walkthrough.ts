/**
 * The interactive setup that bare `ctvs` (or `npx collectivus`) runs on a terminal (reference §2.10, Standalone):
 * what to record, where, which upstreams; then it writes the config and offers the daemon and the Claude Code attach,
 * reusing `ctvs install` and `ctvs attach`, and the import of the agents' history when their transcripts are there
 * (`ctvs import`), and ends with how to check that it works. When a Gas City is found (a `city.toml` in the working
 * directory, or a supervisor running on this machine), it is offered as a source too, and choosing it runs the steps
 * of `ctvs init gascity` for it.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../platform/atomic_write.ts";
import { errorMessage } from "../platform/runtime.ts";
import { parseListen, splitListen } from "../platform/config/listen.ts";
import { loadConfig } from "../platform/config/load.ts";
import type { Config } from "../platform/config/types.ts";
import process from "node:process";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { isNpxPath } from "../platform/daemon/program.ts";
import { serviceBackend } from "../platform/daemon/service.ts";
import { resolveGatewayId } from "../platform/gateway_id.ts";
import { listTranscripts, transcriptRoots } from "../query/transcript_import/sources.ts";
import { attachClients, installClaudeSkills } from "./attach.ts";
import { detectGasCity, type FoundGasCity } from "./gascity/detect.ts";
import { runAttach } from "./gascity/attach.ts";
import { setUpCity } from "./gascity/init.ts";
import { importWithProgress, renderSummary } from "./import.ts";
import { recordingRoot } from "../platform/config/recording_root.ts";
import { runInstall } from "./install.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { UsageError } from "./usage_error.ts";
import { parseSources, parseUpstreams, type WalkthroughAnswers, walkthroughConfig } from "./walkthrough_config.ts";

const DEFAULT_SINK = "~/.hyp/collectivus";
const DEFAULT_SAVE = "~/.hyp/collectivus.json";

/** Runs the walkthrough in `cwd`; resolves with the exit code. */
export async function runWalkthrough(io: Io, host: Host, cwd = process.cwd()): Promise<number> {
  const tilde = (p: string) => (p === "~" || p.startsWith("~/") ? path.join(host.home, p.slice(1)) : path.resolve(p));
  io.out("Welcome to collectivus.\n");
  io.out("It records what your AI agents send and receive, and OpenTelemetry data, into local JSONL files.");
  const city = await detectGasCity(cwd, host.env, host.home);

  const existing = tilde(DEFAULT_SAVE);
  let configPath: string | undefined;
  let config: Config | undefined;
  if (await exists(existing)) {
    let why = "";
    config = await loadConfig({ kind: "file", path: existing }).then((l) => l.config, (error) => {
      why = errorMessage(error);
      return undefined;
    });
    io.out(`\nFound ${existing}${config ? `: ${summary(config)}` : ` (it does not load: ${why})`}`);
    io.out("  1) Use existing config\n  2) Create a new one");
    if (config && (await choose(io, host, "Choose [1]: ", ["1", "2"])) === "1") configPath = existing;
    if (configPath && city) config = await offerCityToExisting(io, host, configPath, config!, city);
  }

  if (!configPath) {
    const answers = await askAnswers(io, host, city);
    config = walkthroughConfig(answers);
    const target = tilde(await askDefault(host, `Save config to [${DEFAULT_SAVE}]: `, DEFAULT_SAVE));
    const text = `${JSON.stringify(config, null, 2)}\n`;
    io.out(`\n${text}`);
    const question = (await exists(target))
      ? `Overwrite ${target}? [y/N]: `
      : `Write this config to ${target}? [Y/n]: `;
    if (!(await yes(host, question, !(await exists(target))))) {
      io.out("Nothing written.");
      return 0;
    }
    // Private: a config can name buckets, endpoints and upstreams, and later hold tokens.
    await atomicWrite(target, text);
    io.out(`✓ Wrote ${target}`);
    configPath = target;
    if (answers.gascity?.length) await setUpCities(io, city!, configPath);
  }

  const code = await offerDaemonAndAttach(io, host, configPath, config!);
  await offerImport(io, host, configPath, config!);
  printNextSteps(io, configPath, config!);
  return code;
}

const INIT_USAGE = `Usage: ctvs init
       ctvs init gascity [<city-dir>]   (set up a Gas City workspace: ctvs init gascity --help)

Interactive setup, the same walkthrough that bare \`ctvs\` (or \`npx collectivus\`) runs on a terminal: asks what
to record, the sink directory, upstreams and listen addresses, writes the config (default ~/.hyp/collectivus.json),
then offers the background daemon, the Claude Code attach (with its skills) and, when Claude Code or Codex
transcripts are there, the import of their history (ctvs import all). When a Gas City is found (city.toml in the
current directory, or a supervisor running at the address ~/.gc/supervisor.toml names, by default
http://127.0.0.1:8372), it is offered as a source, and choosing it runs the steps of \`ctvs init gascity\`. It needs
a terminal.

Options:
  -h, --help        show this help`;

/**
 * Runs `ctvs init`: the walkthrough by name (on a non-terminal it fails instead of waiting for answers), or the
 * `gascity` preset.
 */
export async function runInit(argv: string[], io: Io, host: Host, stdinIsTTY: boolean): Promise<number> {
  if (argv[0] === "gascity") return (await import("./gascity/init.ts")).runInitGascity(argv.slice(1), io);
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(INIT_USAGE);
    return 0;
  }
  if (argv.length > 0) throw new UsageError(`unknown argument: ${argv[0]}`, INIT_USAGE);
  if (!io.isTTY || !stdinIsTTY) {
    io.err(
      "error: ctvs init is interactive and needs a terminal; without one, write a config and run " +
        "`ctvs install --config <path> --yes`",
    );
    return 1;
  }
  return await runWalkthrough(io, host);
}

/** The `ctvs init` command (reference §2.1). */
export const initCommand: Command = {
  name: "init",
  summary: "interactive setup (the walkthrough that bare `ctvs` runs on a terminal)",
  run: (argv, io) => runInit(argv, io, currentHost(), Boolean(process.stdin.isTTY)),
};

/** Steps 3 to 6: sources, sink directory, upstreams and listen addresses. */
async function askAnswers(io: Io, host: Host, city: FoundGasCity | undefined): Promise<WalkthroughAnswers> {
  io.out("\nWhat should collectivus record?");
  io.out("  1) Proxy: Claude Code, Codex and SDK calls to LLM APIs");
  io.out("  2) OTLP receiver: traces, metrics and logs from OpenTelemetry SDKs");
  io.out("  3) Both");
  if (city) {
    io.out(`  4) Gas City: the agents' transcripts and the city events of ${describeCity(city)}`);
    io.out("  5) All of these (or a list, such as 1,4)");
  }
  const retry = city ? "Please answer 1 to 5, or a list such as 1,4 [1]: " : "Please answer 1, 2 or 3 [1]: ";
  let sources = parseSources(await host.ask("Choose [1]: "), city !== undefined);
  while (!sources) sources = parseSources(await host.ask(retry), city !== undefined);
  const sinkDir = await askDefault(host, `Sink directory [${DEFAULT_SINK}]: `, DEFAULT_SINK);
  const answers: WalkthroughAnswers = {
    proxy: sources.proxy,
    otlp: sources.otlp,
    sinkDir,
    upstreams: ["anthropic"],
    proxyListen: "127.0.0.1:8787",
    otlpListen: "127.0.0.1:4318",
  };
  if (sources.gascity) answers.gascity = city!.cities.map((c) => ({ name: c.name, api_url: city!.apiUrl }));
  if (sources.proxy) {
    let upstreams = parseUpstreams(await host.ask("Upstreams to record (anthropic, openai) [anthropic]: "));
    while (!upstreams) upstreams = parseUpstreams(await host.ask("Please name anthropic and/or openai [anthropic]: "));
    answers.upstreams = upstreams;
    answers.proxyListen = await askListen(io, host, "Proxy listen", answers.proxyListen);
  }
  if (sources.otlp) answers.otlpListen = await askListen(io, host, "OTLP listen", answers.otlpListen);
  return answers;
}

/** `bright-lights (city.toml here; supervisor http://127.0.0.1:8372)`: which cities, and where they were found. */
function describeCity(city: FoundGasCity): string {
  const where = city.here ? "city.toml here" : "served by the supervisor";
  const state = city.served ? "" : ", not answering now: the collector keeps trying";
  return `${city.cities.map((c) => c.name).join(", ")} (${where}; supervisor ${city.apiUrl}${state})`;
}

/**
 * After a new config with the Gas City in it is written: the rest of `ctvs init gascity` for each city (its logs as
 * collections, the agents' skill); a city whose directory is not on this disk is recorded, and told how to finish.
 */
async function setUpCities(io: Io, city: FoundGasCity, configPath: string): Promise<void> {
  for (const c of city.cities) {
    if (c.dir) await setUpCity({ name: c.name, dir: c.dir }, configPath, {}, io);
    else io.out(`  ${c.name}: its directory is not on this disk; run \`ctvs init gascity <city-dir>\` where it is`);
  }
}

/**
 * With an existing config: offers the cities found that it does not record yet, and runs \`ctvs init gascity\` for each
 * (the running collector reloads). Resolves with the config as it is now.
 */
async function offerCityToExisting(
  io: Io,
  host: Host,
  configPath: string,
  config: Config,
  city: FoundGasCity,
): Promise<Config> {
  const missing = city.cities.filter((c) => !config.gascity?.some((g) => g.name === c.name));
  if (missing.length === 0) return config;
  io.out(`\nFound a Gas City: ${describeCity({ ...city, cities: missing })}`);
  if (!(await yes(host, "Record its agents' transcripts and events too (as `ctvs init gascity`)? [Y/n]: ", true))) {
    io.out(`  Later: ctvs init gascity <city-dir> --config ${configPath}`);
    return config;
  }
  for (const c of missing) {
    const code = c.dir
      ? await setUpCity({ name: c.name, dir: c.dir }, configPath, { apiUrl: city.apiUrl }, io)
      : await runAttach([c.name, "--config", configPath, "--api-url", city.apiUrl], io);
    if (code !== 0) {
      io.out(`  ${c.name} was not set up; retry with: ctvs init gascity <city-dir> --config ${configPath}`);
    }
  }
  return (await loadConfig({ kind: "file", path: configPath })).config;
}

/** Step 10: the daemon (Linux and macOS) and, with a proxy, the Claude Code attach. */
async function offerDaemonAndAttach(io: Io, host: Host, configPath: string, config: Config): Promise<number> {
  const daemon = serviceBackend(host.platform) !== undefined &&
    await yes(host, "\nInstall as background daemon? [Y/n]: ", true);
  const attach = config.proxy !== undefined && await yes(host, "Configure Claude Code to use the proxy? [Y/n]: ", true);
  let code = 0;
  if (daemon && !isNpxPath(host.program)) {
    // The attach is made here, not by install: a daemon that cannot be installed (no systemd user session) still
    // leaves the attach the user asked for, with the collector run in a terminal.
    code = await runInstall(["--config", configPath, "--no"], io, host);
    if (code !== 0) io.out("The daemon was not installed: going on without it.");
  } else if (daemon) {
    // npx may delete its cache at any time, so a unit must not point into it.
    io.out("ctvs is running from the npx cache; to run it as a daemon, install it globally first:");
    io.out(`  npm install -g collectivus && ctvs install --config ${configPath}${attach ? " --yes" : " --no"}`);
  }
  if (attach) {
    const attached = await attachClients(["claude"], parseListen(config.proxy!.listen).port, io, host);
    if (attached === 0) await installClaudeSkills(io, host);
    code ||= attached;
  }
  return code;
}

/** Step 11: the agents' history from before the proxy, when Claude Code or Codex transcripts are there. */
async function offerImport(io: Io, host: Host, configPath: string, config: Config): Promise<void> {
  if (!config.sink?.dir) return;
  const found: string[] = [];
  let bytes = 0;
  for (const [source, what] of [["claude_code", "Claude Code transcript"], ["codex", "Codex session"]] as const) {
    const { files } = await listTranscripts(await transcriptRoots(source, { env: host.env }));
    if (files.length) found.push(`${files.length} ${what}${files.length === 1 ? "" : "s"}`);
    bytes += files.reduce((sum, f) => sum + f.size, 0);
  }
  if (!found.length) return;
  io.out(`\nFound ${found.join(" and ")} (${(bytes / 1e6).toFixed(1)} MB): what your agents did before the proxy.`);
  if (!(await yes(host, "Import their usage, cost and conversations now? [Y/n]: ", true))) {
    io.out(`  Later: ctvs import all --config ${configPath}`);
    return;
  }
  try {
    const summary = await importWithProgress(
      {
        root: recordingRoot(config),
        gatewayId: resolveGatewayId(config),
        sources: ["claude_code", "codex"],
        env: host.env,
      },
      io,
      "all",
    );
    for (const line of renderSummary(summary)) io.out(`  ${line}`);
  } catch (error) {
    io.out(`  The import failed: ${errorMessage(error)}. Retry with: ctvs import all --config ${configPath}`);
  }
}

/** How to see that it works: commands, with what each shows aligned beside them. */
function printNextSteps(io: Io, configPath: string, config: Config): void {
  const flag = `--config ${configPath}`;
  const steps: [command: string, note?: string][] = [["ctvs status"]];
  if (config.proxy) {
    steps.push([`curl http://${config.proxy.listen}/`, "the proxy answers with its banner"]);
    steps.push(["claude", "then ask it anything"]);
    steps.push([`ls ${config.sink?.dir}/*/proxy/`, "one JSONL file per day"]);
    steps.push([`ctvs query proxy --since 1d ${flag}`]);
  }
  if (config.otel) steps.push([`curl http://${config.otel.listen}/`, "the OTLP receiver's banner"]);
  if (config.gascity?.length) {
    steps.push([`ctvs gascity status ${flag}`, "is it recording the city?"]);
    steps.push([`ctvs gascity backfill --all ${flag}`, "the sessions that ran before now"]);
  }
  if (config.otel || (!config.proxy && !config.gascity?.length)) {
    steps.push([`ctvs query sql "SELECT count(*) AS n FROM logs" ${flag}`]);
  }
  if (config.gascity?.length) {
    steps.push([
      `ctvs query sql "SELECT gascity_template, sum(cost_usd) AS usd FROM gascity_messages GROUP BY 1" ${flag}`,
    ]);
  }
  const width = Math.max(...steps.filter(([, note]) => note).map(([command]) => command.length));
  const lines = ["\nCheck that it works:"];
  for (const [command, note] of steps) lines.push(note ? `  ${command.padEnd(width)}  # ${note}` : `  ${command}`);
  lines.push(`Without the daemon, run the collector in a terminal: ctvs ${flag}`);
  io.out(lines.join("\n"));
}

/** One line about a config: what it records and where. */
function summary(config: Config): string {
  const parts = [];
  if (config.proxy) parts.push(`proxy on ${config.proxy.listen}`);
  if (config.otel) parts.push(`OTLP on ${config.otel.listen}`);
  if (config.gascity?.length) parts.push(`Gas City ${config.gascity.map((c) => c.name).join(", ")}`);
  return `${parts.join(", ") || "no listeners"}; recordings in ${config.sink?.dir ?? "(no sink)"}`;
}

async function askListen(io: Io, host: Host, label: string, fallback: string): Promise<string> {
  while (true) {
    const answer = await askDefault(host, `${label} [${fallback}]: `, fallback);
    const parsed = splitListen(answer);
    if (typeof parsed !== "string") return answer;
    io.out(`  ${answer}: ${parsed}`);
  }
}

async function askDefault(host: Host, question: string, fallback: string): Promise<string> {
  return (await host.ask(question)).trim() || fallback;
}

async function choose(io: Io, host: Host, question: string, options: string[]): Promise<string> {
  while (true) {
    const answer = (await host.ask(question)).trim() || options[0];
    if (options.includes(answer)) return answer;
    io.out(`  Please answer ${options.join(" or ")}.`);
  }
}

async function yes(host: Host, question: string, fallback: boolean): Promise<boolean> {
  const answer = (await host.ask(question)).trim().toLowerCase();
  return answer === "" ? fallback : answer === "y" || answer === "yes";
}

async function exists(file: string): Promise<boolean> {
  return await fs.stat(file).then(() => true, () => false);
}
