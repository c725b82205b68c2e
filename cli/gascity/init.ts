/**
 * `ctvs init gascity [<city-dir>]`: sets collectivus up for a Gas City workspace (reference §11): attaches the city
 * (as `ctvs gascity attach`), registers the city's own logs as collections (`.gc/events.jsonl` as `events`, the
 * session-reconciler trace as `session_segments`), and writes the `ctvs-gascity` skill into the workspace's
 * `.claude/skills/`. Idempotent: a second run changes only what is missing; a skill the user changed is kept, the
 * new version written beside it as `SKILL.md.new`.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { type CityDir, readCityDir } from "../../platform/gascity/city_toml.ts";
import { BUNDLED_SKILLS } from "../../platform/skills/bundled.ts";
import { loadCollections } from "../../query/collections/manifest.ts";
import { normalizeName } from "../../query/collections/names.ts";
import { runCollect } from "../collect.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { runAttach } from "./attach.ts";
import { configFile, loadGascityConfig } from "./context.ts";

/** The usage of `ctvs init gascity`. */
export const INIT_GASCITY_USAGE =
  `Usage: ctvs init gascity [<city-dir>] [--api-url <url>] [--config <path>] [--pid-file <path>]

Sets collectivus up for a Gas City workspace: the current directory, or <city-dir>, holding city.toml.
  - attaches the city to the config, as \`ctvs gascity attach\` does (the running collector reloads);
  - registers the city's own logs as collections: .gc/events.jsonl as \`events\`, and
    .gc/runtime/session-reconciler-trace/segments/**/*.jsonl as \`session_segments\`;
  - writes the ctvs-gascity skill to <city-dir>/.claude/skills/ctvs-gascity/SKILL.md, so agents working in the
    city can answer "what did the agents cost, call and say"; a SKILL.md you changed is kept, and the new version
    is written beside it as SKILL.md.new.
Run it again any time: it changes only what is missing.

Options:
  --api-url <url>     the supervisor API (default: the one the city is attached with, else the one
                      ~/.gc/supervisor.toml names, else http://127.0.0.1:8372)
  --config <path>     the config file (default: ~/.hyp/collectivus.json; \`ctvs init\` writes one)
  --pid-file <path>   the running collector to reload (default: ~/.collectivus/runtime/collectivus.pid)
  -h, --help          show this help`;

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  "api-url": { type: "string", requires: "--api-url requires a URL" },
  "pid-file": { type: "string", requires: "--pid-file requires a path" },
  help: { type: "boolean", short: "h" },
} as const;

/** The city's logs registered as collections: table name and the glob under the city directory. */
const COLLECTIONS: [name: string, glob: string][] = [
  ["events", ".gc/events.jsonl"],
  ["session_segments", ".gc/runtime/session-reconciler-trace/segments/**/*.jsonl"],
];

/** Runs `ctvs init gascity` in `cwd`. */
export async function runInitGascity(argv: string[], io: Io, cwd = process.cwd()): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, INIT_GASCITY_USAGE, { maxPositionals: 1 });
  if (values.help) {
    io.out(INIT_GASCITY_USAGE);
    return 0;
  }
  const target = path.resolve(cwd, positionals[0] ?? ".");
  const city = await readCityDir(target);
  if (!city) {
    io.err(`error: no city.toml in ${target}; run \`ctvs init gascity\` in a Gas City directory, or pass its path`);
    return 1;
  }
  const options = {
    apiUrl: values["api-url"] as string | undefined,
    pidFile: values["pid-file"] as string | undefined,
  };
  const code = await setUpCity(city, configFile(values.config), options, io);
  if (code !== 0) return code;
  io.out("\nNext:");
  io.out("  ctvs gascity status            is the collector recording the city?");
  io.out("  ctvs gascity backfill --all    record the sessions that ran before now");
  io.out(`  ctvs query sql "select gascity_template, sum(cost_usd) as usd from gascity_messages group by 1"`);
  return 0;
}

/**
 * The steps of `ctvs init gascity` for one city (the walkthrough runs them too): attach it to the config `file` (kept
 * as it is when attached and no `apiUrl` is asked for; a running collector reloads), register its logs as
 * collections, write the agents' skill into its directory. Resolves with the exit code.
 */
export async function setUpCity(
  city: CityDir,
  file: string,
  options: { apiUrl?: string; pidFile?: string },
  io: Io,
): Promise<number> {
  // 1. The city in the config (kept as it is when already attached and no other API URL is asked for).
  const { config } = await loadGascityConfig(file);
  const attached = (config.gascity ?? []).find((c) => c.name === city.name);
  if (attached && options.apiUrl === undefined) {
    io.out(`(city ${city.name} is already attached in ${file}, to ${attached.api_url})`);
  } else {
    const flags = [
      ...(options.apiUrl === undefined ? [] : ["--api-url", options.apiUrl]),
      ...(options.pidFile === undefined ? [] : ["--pid-file", options.pidFile]),
    ];
    const code = await runAttach([city.dir, "--config", file, ...flags], io);
    if (code !== 0) return code;
  }

  // 2. The city's own logs as collections.
  const { root } = await loadGascityConfig(file);
  for (const [name, glob] of COLLECTIONS) {
    const pattern = path.join(city.dir, glob);
    const collections = await loadCollections(root);
    const taken = (table: string) => collections[table] && collections[table].source_glob !== pattern;
    // Another city (or the user) has the plain name: this city's gets its own.
    const table = taken(name) ? normalizeName(`${city.name}_${name}`, "table") : name;
    if (collections[table]?.source_glob === pattern) {
      io.out(`(collection ${table} already reads ${pattern})`);
      continue;
    }
    if (taken(table)) {
      io.err(`warning: collection ${table} reads something else; not registering ${pattern}`);
      continue;
    }
    const code = await runCollect(["--glob", pattern, "--name", table, "--config", file], io);
    if (code !== 0) return code;
  }

  // 3. The skill.
  const skill = BUNDLED_SKILLS.find((s) => s.name === "ctvs-gascity")!.files["SKILL.md"];
  const skillFile = path.join(city.dir, ".claude", "skills", "ctvs-gascity", "SKILL.md");
  const current = await fs.readFile(skillFile, "utf8").catch(() => undefined);
  if (current === skill) io.out(`(skill ${skillFile} is up to date)`);
  else {
    await fs.mkdir(path.dirname(skillFile), { recursive: true });
    const written = current === undefined ? skillFile : `${skillFile}.new`;
    await fs.writeFile(written, skill);
    io.out(
      current === undefined
        ? `✓ Wrote the ctvs-gascity skill to ${skillFile}`
        : `! ${skillFile} differs from this version: wrote ${written} beside it; compare and keep the one you want`,
    );
  }
  return 0;
}
