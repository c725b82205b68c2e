/**
 * The registry of subcommands. Anything that is not one of these names goes to the collector runner, as in the
 * original `ctvs`, so `ctvs --config x.json` keeps working.
 *
 * @module
 */
import { attachCommand } from "./attach.ts";
import { claudeHookCommand } from "./claude_hook.ts";
import type { Command } from "./command.ts";
import { queryCommand } from "./query.ts";
import { detachCommand } from "./detach.ts";
import { ignoreCommand } from "./ignore.ts";
import { installCommand } from "./install.ts";
import { skillsCommand } from "./skills.ts";
import { statusCommand } from "./status.ts";
import { uninstallCommand } from "./uninstall.ts";

/** Every subcommand, in the order `ctvs --help` lists them. */
export const COMMANDS: readonly Command[] = [
  installCommand,
  uninstallCommand,
  statusCommand,
  attachCommand,
  detachCommand,
  ignoreCommand,
  skillsCommand,
  claudeHookCommand,
  queryCommand,
];

/** The command list for `ctvs --help`; empty while there are no subcommands. */
export function commandList(): string {
  if (COMMANDS.length === 0) return "";
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `\nCommands (ctvs <command> --help for each):\n${lines.join("\n")}\n`;
}
