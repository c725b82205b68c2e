/**
 * `ctvs skills install [--client claude|codex|all] [--force] [--dry-run]`: copies the bundled agent skills
 * (querying recordings, ignoring a session) into Claude Code's and Codex's skill directories.
 *
 * @module
 */
import { currentHost, type Host } from "../platform/daemon/host.ts";
import { BUNDLED_SKILLS } from "../platform/skills/bundled.ts";
import { installSkills, type SkillResult, UnmanagedSkillError } from "../platform/skills/install_skills.ts";
import { CLIENT_FLAG, parseClients } from "./attach.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs skills install [--client claude|codex|all] [--force] [--dry-run]

Installs the bundled agent skills:
${
  BUNDLED_SKILLS.filter((s) => s.clients.length > 0).map((s) => `  ${s.name.padEnd(18)} (${s.clients.join(", ")})`)
    .join("\n")
}

Claude Code: ~/.claude/skills/<name>. Codex: ~/.agents/skills/<name> and $CODEX_HOME/skills/<name>
(default ~/.codex). Each directory gets a .collectivus-skill.json marker; reinstalling replaces marked directories.

Options:
  --client <name>   claude, codex, or all (default)
  --force           replace a directory of the same name that collectivus does not manage
  --dry-run         print what would be installed or updated, and change nothing
  -h, --help        show this help`;

const FLAGS = {
  client: CLIENT_FLAG,
  force: { type: "boolean" },
  "dry-run": { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

const CLIENT_NAMES = { claude: "Claude", codex: "Codex" } as const;
const VERBS = {
  installed: "✓ Installed",
  updated: "✓ Updated",
  "would-install": "Would install",
  "would-update": "Would update",
} as const;

/** Runs `ctvs skills` against `host`. */
export async function runSkills(argv: string[], io: Io, host: Host): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: 1 });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (positionals[0] !== "install") {
    throw new UsageError(
      positionals[0] === undefined ? "missing subcommand: install" : `unknown subcommand: ${positionals[0]}`,
      USAGE,
    );
  }
  let results: SkillResult[];
  try {
    results = await installSkills({
      home: host.home,
      env: host.env,
      // Unlike attach, the default is every client: skills are harmless where unused.
      clients: parseClients(values.client ?? "all", USAGE),
      force: Boolean(values.force),
      dryRun: Boolean(values["dry-run"]),
      now: host.now(),
    });
  } catch (error) {
    if (error instanceof UnmanagedSkillError) {
      io.err(`error: ${error.message}`);
      return 1;
    }
    throw error;
  }
  for (const r of results) io.out(`${VERBS[r.action]} ${CLIENT_NAMES[r.client]} skill ${r.skill} (${r.dir})`);
  return 0;
}

/** The `ctvs skills` command. */
export const skillsCommand: Command = {
  name: "skills",
  summary: "install the bundled agent skills for Claude Code and Codex",
  run: (argv, io) => runSkills(argv, io, currentHost()),
};
