/**
 * `ctvs query logs [count]`: the newest log records, or how many there are.
 *
 * @module
 */
import { LOGS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { limitClause, runQuery } from "./run_query.ts";
import { queryLogsTail, TAIL_ROWS } from "./tail.ts";

/** Help for `ctvs query logs`. */
export const LOGS_USAGE = `Usage: ctvs query logs [count|tail] [options]

  (none)                    the newest log records first
  count                     how many log records there are
  tail                      the last ${TAIL_ROWS} (or --limit) records read live from the JSONL files, oldest first;
                            no cache, no refresh

${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query logs`. */
export function queryLogs(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "tail") return queryLogsTail(argv.slice(1), io, LOGS_USAGE);
  return runQuery(argv, io, {
    usage: LOGS_USAGE,
    maxPositionals: 1,
    datasets: () => [LOGS],
    sql: ([sub], limit) => {
      if (sub === "count") return "SELECT count(*) AS count FROM logs";
      if (sub !== undefined) throw new UsageError(`unknown argument: ${sub}`, LOGS_USAGE);
      return "SELECT gateway_id, date, timestamp, severityText, serviceName, body, traceId, spanId FROM logs " +
        `ORDER BY timestamp DESC${limitClause(limit)}`;
    },
  });
}
