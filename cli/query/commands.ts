/**
 * The `ctvs query` subcommands, in the order `ctvs query --help` lists them.
 *
 * @module
 */
import type { Io } from "../io.ts";
import { LOGS_USAGE, queryLogs } from "./logs.ts";
import { querySql, SQL_USAGE } from "./sql.ts";

/** One `ctvs query <name>` subcommand. */
export interface QueryCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** Every query subcommand. */
export const QUERY_COMMANDS: readonly QueryCommand[] = [
  { name: "sql", summary: "run one read-only SELECT", usage: SQL_USAGE, run: querySql },
  { name: "logs", summary: "the newest log records (logs count: how many)", usage: LOGS_USAGE, run: queryLogs },
];
