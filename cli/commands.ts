/**
 * The registry of subcommands. Anything that is not one of these names goes to the collector runner, as in the
 * original `ctvs`, so `ctvs --config x.json` keeps working.
 *
 * Each entry knows its name and summary up front and imports its module only when it runs: `ctvs claude-hook`
 * runs on every Claude Code prompt and must not pay for DuckDB, Hono or the collector it never uses.
 *
 * @module
 */
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";

/** A command whose module is imported when it runs. */
function lazy(name: string, summary: string, load: () => Promise<Command>): Command {
  return { name, summary, run: async (argv: string[], io: Io) => await (await load()).run(argv, io) };
}

/** Every subcommand, in the order `ctvs --help` lists them. */
export const COMMANDS: readonly Command[] = [
  lazy("init", "interactive setup (the walkthrough that bare `ctvs` runs on a terminal)", async () => {
    return (await import("./walkthrough.ts")).initCommand;
  }),
  lazy("install", "run ctvs as a background daemon (systemd / launchd)", async () => {
    return (await import("./install.ts")).installCommand;
  }),
  lazy("uninstall", "remove the daemon and detach Claude Code and Codex", async () => {
    return (await import("./uninstall.ts")).uninstallCommand;
  }),
  lazy("status", "show the daemon, its config, and which clients are attached", async () => {
    return (await import("./status.ts")).statusCommand;
  }),
  lazy("attach", "point Claude Code and/or Codex at the local proxy", async () => {
    return (await import("./attach.ts")).attachCommand;
  }),
  lazy("detach", "undo `ctvs attach`", async () => (await import("./detach.ts")).detachCommand),
  lazy("ignore", "stop (or resume) recording sessions under a directory", async () => {
    return (await import("./ignore.ts")).ignoreCommand;
  }),
  lazy("skills", "install the bundled agent skills for Claude Code and Codex", async () => {
    return (await import("./skills.ts")).skillsCommand;
  }),
  lazy("claude-hook", "internal: the Claude Code session-context hook", async () => {
    return (await import("./claude_hook.ts")).claudeHookCommand;
  }),
  lazy("query", "query the recordings with SQL: logs, traces, metrics, conversations, cost, collections", async () => {
    return (await import("./query.ts")).queryCommand;
  }),
  lazy("ui", "a local web UI for conversations, usage and cost, traces, logs, metrics and SQL", async () => {
    return (await import("./ui.ts")).uiCommand;
  }),
  lazy("collect", "register a JSONL file or glob as a queryable collection", async () => {
    return (await import("./collect.ts")).collectCommand;
  }),
  lazy(
    "import",
    "import Claude Code and Codex history (usage, cost, conversations) from their transcripts",
    async () => {
      return (await import("./import.ts")).importCommand;
    },
  ),
  lazy("export", "write the recordings as zstd Parquet files", async () => {
    return (await import("./export.ts")).exportCommand;
  }),
  lazy("upload", "run one S3 archive upload tick now (--now)", async () => {
    return (await import("./upload.ts")).uploadCommand;
  }),
  lazy("gascity", "record Gas City supervisors: attach, detach, list, status, backfill", async () => {
    return (await import("./gascity.ts")).gascityCommand;
  }),
  lazy("update-check", "check the npm registry for a newer collectivus", async () => {
    return (await import("./update_check.ts")).updateCheckCommand;
  }),
  lazy("healthcheck", "exit 0 when the ctvs running with this config answers (container HEALTHCHECK)", async () => {
    return (await import("./healthcheck.ts")).healthcheckCommand;
  }),
  lazy("config", "on a Central server: gateway configs and bootstrap tokens", async () => {
    return (await import("./config.ts")).configCommand;
  }),
  lazy("admin", "keep the Central server's admin URL and token on this machine", async () => {
    return (await import("./admin.ts")).adminCommand;
  }),
  lazy("invite", "create, list or revoke join codes for new fleet hosts (Central's admin API)", async () => {
    return (await import("./invite.ts")).inviteCommand;
  }),
  lazy("join", "join this host to a fleet with a join code", async () => {
    return (await import("./join.ts")).joinCommand;
  }),
  lazy("rendezvous", "run the rendezvous service that resolves join codes to a Central server", async () => {
    return (await import("./rendezvous.ts")).rendezvousCommand;
  }),
];

/** The command list for `ctvs --help`; empty while there are no subcommands. */
export function commandList(): string {
  if (COMMANDS.length === 0) return "";
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `\nCommands (ctvs <command> --help for each):\n${lines.join("\n")}\n`;
}
