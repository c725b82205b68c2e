/**
 * `ctvs ignore add <path> | remove <path> | list`: directories whose Claude Code sessions the proxy does not
 * record, kept under `ignored_paths` in ~/.hyp/collectivus.json.
 *
 * @module
 */
import process from "node:process";
import path from "node:path";
import { editIgnored, listIgnored, normalizeIgnorePath } from "../platform/claude_code/ignored_paths.ts";
import { currentHost, type Host } from "../platform/daemon/host.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs ignore add <path>
       ctvs ignore remove <path>
       ctvs ignore list

Sessions whose working directory is an ignored path, or under one, are not recorded by the proxy.
The list is \`ignored_paths\` in ~/.hyp/collectivus.json. A \`.ctvsignore\` file in a directory works too.`;

/** Runs `ctvs ignore` against `host`, resolving relative paths against `cwd`. */
export async function runIgnore(argv: string[], io: Io, host: Host, cwd: string): Promise<number> {
  const { values, positionals } = parseFlags(argv, { help: { type: "boolean", short: "h" } }, USAGE, {
    maxPositionals: 2,
  });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const [action, target] = positionals;
  const file = path.join(host.home, ".hyp", "collectivus.json");
  if (action === "list" && target === undefined) {
    for (const entry of await listIgnored(file)) io.out(entry);
    return 0;
  }
  if (action !== "add" && action !== "remove") {
    throw new UsageError(
      action === undefined ? "missing subcommand: add, remove or list" : `unknown subcommand: ${action}`,
      USAGE,
    );
  }
  if (target === undefined) throw new UsageError(`ctvs ignore ${action} requires a path`, USAGE);
  const entry = await normalizeIgnorePath(target, cwd);
  const changed = await editIgnored(file, entry, action);
  if (action === "add") {
    io.out(changed ? `✓ Ignoring ${entry}` : `(already ignoring ${entry})`);
    return 0;
  }
  if (!changed) {
    io.err(`error: ${entry} was not in the ignore list`);
    return 1;
  }
  io.out(`✓ Removed ${entry}`);
  return 0;
}

/** The `ctvs ignore` command. */
export const ignoreCommand: Command = {
  name: "ignore",
  summary: "stop (or resume) recording sessions under a directory",
  run: (argv, io) => runIgnore(argv, io, currentHost(), process.cwd()),
};
