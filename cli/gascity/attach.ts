/**
 * `ctvs gascity attach <city-name-or-path>` and `ctvs gascity detach <city-name>`: edit the config's `gascity` list,
 * then send SIGHUP to the running collector (found by its PID file) so it starts or stops that city in place.
 *
 * @module
 */
import process from "node:process";
import { attachCity, detachCity } from "../../platform/config/gascity_cities.ts";
import type { GascityConfig } from "../../platform/config/types.ts";
import { readCityDir } from "../../platform/gascity/city_toml.ts";
import { localSupervisorUrl } from "../../platform/gascity/supervisor_url.ts";
import { homeDir, pidFilePath } from "../../platform/paths.ts";
import { isAlive, readPid } from "../../platform/pid_file.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { SupervisorClient } from "../../server/gascity/supervisor_client.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { UsageError } from "../usage_error.ts";
import { configFile, GASCITY_USAGE } from "./context.ts";

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  "api-url": { type: "string", requires: "--api-url requires a URL" },
  "include-template": { type: "string", multiple: true, requires: "--include-template requires a template name" },
  "exclude-template": { type: "string", multiple: true, requires: "--exclude-template requires a template name" },
  "pid-file": { type: "string", requires: "--pid-file requires a path" },
  help: { type: "boolean", short: "h" },
} as const;

/** `ctvs gascity attach`. */
export async function runAttach(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, GASCITY_USAGE, { maxPositionals: 1 });
  if (values.help) return help(io);
  const target = positionals[0];
  if (target === undefined) throw new UsageError("ctvs gascity attach requires a city name or path", GASCITY_USAGE);
  // The supervisor's address on this machine (~/.gc/supervisor.toml), as `gc` itself reads it.
  const apiUrl = (values["api-url"] as string | undefined) ?? await localSupervisorUrl(process.env, homeDir());
  if (!/^https?:\/\/[^/]/i.test(apiUrl)) {
    throw new UsageError(`--api-url must be an http(s) URL (got "${apiUrl}")`, GASCITY_USAGE);
  }
  const onDisk = await readCityDir(target);
  if (!onDisk && /[/\\]/.test(target)) {
    io.err(`error: no city.toml at ${target}; give the path of a Gas City directory, or the city's name`);
    return 1;
  }
  const name = onDisk?.name ?? target;
  const city: GascityConfig = { name, api_url: apiUrl.replace(/\/+$/, "") };
  const include = values["include-template"] as string[] | undefined;
  const exclude = values["exclude-template"] as string[] | undefined;
  if (include?.length) city.include_templates = include;
  if (exclude?.length) city.exclude_templates = exclude;

  const file = configFile(values.config);
  const outcome = await attachCity(file, city);
  io.out(
    outcome === "unchanged"
      ? `(city ${name} is already attached in ${file})`
      : `✓ ${outcome === "added" ? "Attached" : "Updated"} city ${name} (${city.api_url}) in ${file}`,
  );
  if (onDisk) io.out(`  from ${onDisk.dir}`);
  await checkSupervisor(city, io);
  if (outcome !== "unchanged") await reload(values["pid-file"] as string | undefined, io, "records the city");
  return 0;
}

/** `ctvs gascity detach`. */
export async function runDetach(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, GASCITY_USAGE, { maxPositionals: 1 });
  if (values.help) return help(io);
  const name = positionals[0];
  if (name === undefined) throw new UsageError("ctvs gascity detach requires a city name", GASCITY_USAGE);
  const file = configFile(values.config);
  if (!(await detachCity(file, name))) {
    io.err(`error: ${file} has no city named ${name}; \`ctvs gascity list\` shows the attached ones`);
    return 1;
  }
  io.out(`✓ Detached city ${name} from ${file}; what was recorded stays queryable`);
  await reload(values["pid-file"] as string | undefined, io, "leaves the city out");
  return 0;
}

/** Says whether the supervisor answers and serves the city; never fails the attach (the collector retries). */
async function checkSupervisor(city: GascityConfig, io: Io): Promise<void> {
  try {
    const names = await new SupervisorClient(city.api_url, { timeoutMs: 3000 }).cities();
    if (names.includes(city.name)) return io.out(`  the supervisor at ${city.api_url} serves ${city.name}`);
    io.err(
      `warning: the supervisor at ${city.api_url} serves no city named ${city.name}` +
        (names.length ? ` (it serves: ${names.join(", ")})` : "") + "; the collector will keep trying",
    );
  } catch (error) {
    io.err(`warning: ${errorMessage(error)}; the collector retries until the supervisor answers`);
  }
}

/** Sends SIGHUP to the running collector, if there is one; else says what its next start does (`then`). */
async function reload(pidFile: string | undefined, io: Io, then: string): Promise<void> {
  const pid = await readPid(pidFile ?? pidFilePath());
  if (pid === undefined || !isAlive(pid)) {
    io.out(`  The collector is not running: it ${then} from its next start (\`ctvs\`, or \`ctvs install\`).`);
    return;
  }
  try {
    process.kill(pid, "SIGHUP");
    io.out(`  Told the running collector (pid ${pid}) to reload its config.`);
  } catch (error) {
    io.err(`warning: cannot signal the collector (pid ${pid}): ${errorMessage(error)}; restart it to apply`);
  }
}

function help(io: Io): number {
  io.out(GASCITY_USAGE);
  return 0;
}
