/**
 * `ctvs query traces [slow|errors]` (the newest, the slowest, or the failed spans) and `ctvs query trace <id>`
 * (every span of one trace, in start order).
 *
 * @module
 */
import { literal } from "../../query/dataset.ts";
import { TRACES } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { limitClause, requirePositional, runQuery } from "./run_query.ts";

/** Help for `ctvs query traces`. */
export const TRACES_USAGE = `Usage: ctvs query traces [slow|errors] [options]

Spans, newest first; "slow": longest durationMs first; "errors": status code 2 (ERROR) only.

${QUERY_FLAGS_HELP}`;

/** Help for `ctvs query trace`. */
export const TRACE_USAGE = `Usage: ctvs query trace <trace-id> [options]

Every column of every span of one trace, by startTimestamp ascending.

${QUERY_FLAGS_HELP}`;

const COLUMNS = "gateway_id, date, startTimestamp, durationMs, serviceName, name, traceId, spanId, status";

/** Runs `ctvs query traces`. */
export function queryTraces(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: TRACES_USAGE,
    maxPositionals: 1,
    datasets: () => [TRACES],
    sql: ([sub], limit) => {
      const tail = limitClause(limit);
      if (sub === undefined) return `SELECT ${COLUMNS} FROM traces ORDER BY startTimestamp DESC${tail}`;
      // durationMs ties (and NULLs) fall back to the newest, so the order is stable.
      if (sub === "slow") {
        return `SELECT ${COLUMNS} FROM traces ORDER BY durationMs DESC NULLS LAST, startTimestamp DESC${tail}`;
      }
      if (sub === "errors") {
        return `SELECT ${COLUMNS} FROM traces WHERE JSON_VALUE(status, '$.code') = '2' ` +
          `ORDER BY startTimestamp DESC${tail}`;
      }
      throw new UsageError(`unknown argument: ${sub}`, TRACES_USAGE);
    },
  });
}

/** Runs `ctvs query trace <id>`. */
export function queryTrace(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: TRACE_USAGE,
    maxPositionals: 1,
    datasets: () => [TRACES],
    sql: (positionals, limit) =>
      `SELECT * FROM traces WHERE traceId = ${literal(requirePositional(positionals, 0, "a trace id", TRACE_USAGE))} ` +
      `ORDER BY startTimestamp ASC, spanId${limitClause(limit)}`,
  });
}
