/**
 * `ctvs query activity` (every signal on one timeline), `ctvs query service <name>` (the same for one service) and
 * `ctvs query errors` (error logs and failed spans).
 *
 * @module
 */
import { LOGS, METRICS, TRACES } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { limitClause, requirePositional, runQuery } from "./run_query.ts";

/** Help for `ctvs query activity`. */
export const ACTIVITY_USAGE = `Usage: ctvs query activity [options]

Logs, spans and metric points on one timeline, newest first: signal, timestamp, gateway_id, serviceName, detail
(severityText, span name, metricName).

${QUERY_FLAGS_HELP}`;

/** Help for `ctvs query service`. */
export const SERVICE_USAGE = `Usage: ctvs query service <name> [options]

The activity timeline of one serviceName (the same as activity --service <name>).

${QUERY_FLAGS_HELP}`;

/** Help for `ctvs query errors`. */
export const ERRORS_USAGE = `Usage: ctvs query errors [options]

Logs with severityNumber >= 17 (ERROR and above) and spans with status code 2, newest first: signal, timestamp,
gateway_id, serviceName, detail (log body or span name and status message), traceId.

${QUERY_FLAGS_HELP}`;

const TIMELINE = `SELECT 'logs' AS signal, timestamp, gateway_id, serviceName, severityText AS detail FROM logs
UNION ALL SELECT 'traces', startTimestamp, gateway_id, serviceName, name FROM traces
UNION ALL SELECT 'metrics', timestamp, gateway_id, serviceName, metricName FROM metrics`;

// Ties on timestamp are ordered by signal then detail so the output is the same on every run.
const ORDER = "ORDER BY timestamp DESC NULLS LAST, signal, detail";

function timeline(limit: number | undefined): string {
  return `SELECT * FROM (${TIMELINE}) ${ORDER}${limitClause(limit)}`;
}

/** Runs `ctvs query activity`. */
export function queryActivity(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: ACTIVITY_USAGE,
    maxPositionals: 0,
    datasets: () => [LOGS, TRACES, METRICS],
    sql: (_p, limit) => timeline(limit),
  });
}

/** Runs `ctvs query service <name>`. */
export function queryService(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: SERVICE_USAGE,
    maxPositionals: 1,
    datasets: () => [LOGS, TRACES, METRICS],
    sql: (positionals, limit) => {
      requirePositional(positionals, 0, "a service name", SERVICE_USAGE);
      return timeline(limit);
    },
    // The service scope is applied inside each dataset's view, as --service is.
    adjust: ([name], options) => ({ ...options, scope: { ...options.scope, service: name } }),
  });
}

/** Runs `ctvs query errors`. */
export function queryErrors(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: ERRORS_USAGE,
    maxPositionals: 0,
    datasets: () => [LOGS, TRACES],
    sql: (_p, limit) =>
      `SELECT * FROM (SELECT 'logs' AS signal, timestamp, gateway_id, serviceName, body->>'$' AS detail, traceId
FROM logs WHERE severityNumber >= 17
UNION ALL SELECT 'traces', startTimestamp, gateway_id, serviceName,
  name || coalesce(': ' || (status->>'$.message'), ''), traceId
FROM traces WHERE JSON_VALUE(status, '$.code') = '2') ${ORDER}${limitClause(limit)}`,
  });
}
