/**
 * The `ctvs` dispatcher: routes to a subcommand or to the collector runner, and turns what they throw into the
 * exit-code convention (0 ok, 1 runtime or config failure, 2 usage error).
 *
 * @module
 */
import process from "node:process";
import { ConfigError } from "../platform/config/config_error.ts";
import { errorMessage } from "../platform/runtime.ts";
import type { Command } from "./command.ts";
import { commandList, COMMANDS } from "./commands.ts";
import { type Io, processIo } from "./io.ts";
import { prepareUpdateNotice } from "./update_notice.ts";
import { UsageError } from "./usage_error.ts";

/**
 * Runs `ctvs` with `argv` (without the program name); resolves with the exit code. On a terminal, a newer published
 * version is announced after the command (`cli/update_notice.ts`).
 */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  const command = COMMANDS.find((c) => c.name === argv[0]);
  const notice = prepareUpdateNotice(command?.name, io);
  const code = await dispatch(command, argv, io);
  notice?.();
  return code;
}

async function dispatch(command: Command | undefined, argv: string[], io: Io): Promise<number> {
  try {
    if (command) return await command.run(argv.slice(1), io);
    // Bare `ctvs` on a terminal is the first-run setup; piped or scripted, it stays the runner's usage error.
    // Both are imported here, not at the top, so a subcommand (above all the per-prompt claude-hook) loads only
    // its own module.
    if (argv.length === 0 && io.isTTY && process.stdin.isTTY) {
      const [{ runWalkthrough }, { currentHost }] = await Promise.all([
        import("./walkthrough.ts"),
        import("../platform/daemon/host.ts"),
      ]);
      return await runWalkthrough(io, currentHost());
    }
    const { runCollector } = await import("./run.ts");
    return await runCollector(argv, io, { commandList: commandList() });
  } catch (error) {
    return report(error, io);
  }
}

/** Prints what a command threw and returns the exit code that goes with it. */
export function report(error: unknown, io: Io): number {
  if (error instanceof UsageError) {
    io.err(`error: ${error.message}\n\n${error.usage}`);
    return 2;
  }
  if (error instanceof ConfigError) {
    io.err(`config error: ${error.message}`);
    return 1;
  }
  io.err(`fatal: ${errorMessage(error)}`);
  return 1;
}
