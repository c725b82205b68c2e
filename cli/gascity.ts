/**
 * `ctvs gascity attach|detach|list|status|backfill`: the Gas City capture's command group. Each subcommand lives
 * in `cli/gascity/`; this file only dispatches.
 *
 * @module
 */
import type { Command } from "./command.ts";
import { GASCITY_USAGE } from "./gascity/context.ts";
import type { Io } from "./io.ts";
import { UsageError } from "./usage_error.ts";

/** Runs `ctvs gascity <subcommand> ...`. */
export async function runGascity(argv: string[], io: Io): Promise<number> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case "attach":
      return (await import("./gascity/attach.ts")).runAttach(rest, io);
    case "detach":
      return (await import("./gascity/attach.ts")).runDetach(rest, io);
    case "list":
      return (await import("./gascity/status.ts")).runList(rest, io);
    case "status":
      return (await import("./gascity/status.ts")).runStatus(rest, io);
    case "backfill":
      return (await import("./gascity/backfill.ts")).runBackfill(rest, io);
    case "-h":
    case "--help":
      io.out(GASCITY_USAGE);
      return 0;
    case undefined:
      throw new UsageError("missing subcommand: attach, detach, list, status or backfill", GASCITY_USAGE);
    default:
      throw new UsageError(`unknown subcommand: ${sub}`, GASCITY_USAGE);
  }
}

/** The `ctvs gascity` command. */
export const gascityCommand: Command = {
  name: "gascity",
  summary: "record Gas City supervisors: attach, detach, list, status, backfill",
  run: runGascity,
};
