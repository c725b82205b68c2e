/**
 * `ctvs query <command>`: local SQL over the recordings. Dispatches to one module per subcommand and turns query
 * failures into `error: ...` with exit 1 (refused SQL: exit 2).
 *
 * @module
 */
import { SqlRefusedError } from "../query/read_only_sql.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";
import { UsageError } from "./usage_error.ts";
import { QueryError } from "./query/context.ts";
import { QUERY_COMMANDS } from "./query/commands.ts";

const USAGE = `Usage: ctvs query <command> [options]

Commands:
${QUERY_COMMANDS.map((c) => `  ${c.name.padEnd(18)} ${c.summary}`).join("\n")}

Run ctvs query <command> --help for its options.`;

/** The `query` command. */
export const queryCommand: Command = {
  name: "query",
  summary: "query the recordings with SQL: logs, traces, metrics, conversations, cost, collections",
  async run(argv: string[], io: Io): Promise<number> {
    const name = argv[0];
    if (name === undefined || name === "--help" || name === "-h") {
      io.out(USAGE);
      return 0;
    }
    const command = QUERY_COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown query command: ${name}`, USAGE);
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(command.usage);
      return 0;
    }
    try {
      return await command.run(argv.slice(1), io);
    } catch (err) {
      if (err instanceof SqlRefusedError) {
        io.err(`error: ${err.message}`);
        return 2;
      }
      if (err instanceof QueryError) {
        io.err(`error: ${err.message}`);
        return 1;
      }
      if (err instanceof UsageError || (err as Error).name === "ConfigError") throw err;
      io.err(`error: ${(err as Error).message}`);
      return 1;
    }
  },
};
