/**
 * `ctvs update-check [--background]`: asks the npm registry for the newest collectivus, caches the answer for the
 * update notice, and says whether this one is current. Commands run it with `--background` once a day (detached,
 * silent); run by hand it prints the answer.
 *
 * @module
 */
import process from "node:process";
import { currentProgram } from "../platform/daemon/program.ts";
import { errorMessage } from "../platform/runtime.ts";
import {
  DEFAULT_REGISTRY,
  fetchLatestVersion,
  installKind,
  isNewerVersion,
  readUpdateCache,
  updateCachePath,
  updateNoticeLines,
  writeUpdateCache,
} from "../platform/update_check.ts";
import { VERSION } from "../platform/version.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";

const USAGE = `Usage: ctvs update-check [--background]

Asks the npm registry (COLLECTIVUS_UPDATE_REGISTRY, default ${DEFAULT_REGISTRY}) for the newest collectivus,
caches the answer in ~/.collectivus/update-check.json and says whether this one (${VERSION}) is current.

Commands on a terminal show "A newer version of collectivus is available" from that cache and refresh it once a day
in the background; they never wait for the registry. COLLECTIVUS_DISABLE_UPDATE_CHECK=1 turns that off; it is
always off in CI, in the Claude Code hook, for a supervised daemon and when output is piped.

Options:
  --background   only refresh the cache, print nothing (what commands start)
  -h, --help     show this help`;

const FLAGS = {
  background: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

/** Runs `ctvs update-check`. */
export async function runUpdateCheck(argv: string[], io: Io, env = process.env): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const registry = env.COLLECTIVUS_UPDATE_REGISTRY || DEFAULT_REGISTRY;
  const file = updateCachePath();
  if (values.background) {
    // First, before the registry answers (or not): today's check has started, and no other command starts one.
    const cache = readUpdateCache(file);
    await writeUpdateCache({ ...cache, checked_at: new Date().toISOString() }, file).catch(() => {});
  }
  let latest: string;
  try {
    latest = await fetchLatestVersion(registry, { timeoutMs: 10_000 });
    await writeUpdateCache({ checked_at: new Date().toISOString(), latest }, file);
  } catch (error) {
    if (values.background) return 1;
    io.err(`error: cannot check for a newer collectivus: ${errorMessage(error)}`);
    return 1;
  }
  if (values.background) return 0;
  if (isNewerVersion(latest, VERSION)) {
    for (const line of updateNoticeLines(latest, VERSION, installKind(currentProgram()))) io.out(line);
  } else {
    io.out(`collectivus ${VERSION} is up to date (newest published: ${latest})`);
  }
  return 0;
}

/** The `ctvs update-check` command. */
export const updateCheckCommand: Command = {
  name: "update-check",
  summary: "check the npm registry for a newer collectivus",
  run: (argv, io) => runUpdateCheck(argv, io),
};
