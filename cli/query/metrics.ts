/**
 * `ctvs query metrics list|series <m>|latest [m]|summary <m>`: metric names and point counts, one metric's points,
 * the latest points, and one metric's min / max / average.
 *
 * @module
 */
import { literal } from "../../query/dataset.ts";
import { METRICS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { limitClause, requirePositional, runQuery } from "./run_query.ts";

/** Help for `ctvs query metrics`. */
export const METRICS_USAGE =
  `Usage: ctvs query metrics <list|series <metric>|latest [metric]|summary <metric>> [options]

  list                      metricName and points per metric
  series <metric>           the metric's points, oldest first
  latest [metric]           the newest point (of the metric: the newest --limit points)
  summary <metric>          points, min_value, max_value, avg_value, first_timestamp, last_timestamp

${QUERY_FLAGS_HELP}`;

const POINT = "gateway_id, date, timestamp, serviceName, metricName, value, valueInt, count, sum";

// An int point has its value in valueInt; the summary folds both so int and double metrics summarize alike.
const NUMBER = "coalesce(value, CAST(valueInt AS DOUBLE))";

function sqlFor(positionals: string[], limit: number | undefined): string {
  const [sub, metric] = positionals;
  const named = () => literal(requirePositional(positionals, 1, "a metric name", METRICS_USAGE));
  switch (sub) {
    case "list":
      if (metric !== undefined) throw new UsageError(`unknown argument: ${metric}`, METRICS_USAGE);
      return `SELECT metricName, count(*) AS points FROM metrics GROUP BY metricName ORDER BY metricName` +
        limitClause(limit);
    case "series":
      return `SELECT ${POINT} FROM metrics WHERE metricName = ${named()} ORDER BY timestamp ASC${limitClause(limit)}`;
    case "latest":
      return metric === undefined
        ? `SELECT ${POINT} FROM metrics ORDER BY timestamp DESC LIMIT 1`
        : `SELECT ${POINT} FROM metrics WHERE metricName = ${named()} ORDER BY timestamp DESC${limitClause(limit)}`;
    case "summary":
      return `SELECT count(*) AS points, min(${NUMBER}) AS min_value, max(${NUMBER}) AS max_value, ` +
        `avg(${NUMBER}) AS avg_value, min(timestamp) AS first_timestamp, max(timestamp) AS last_timestamp ` +
        `FROM metrics WHERE metricName = ${named()}`;
    case undefined:
      throw new UsageError("a metrics command (list, series, latest, summary) is required", METRICS_USAGE);
    default:
      throw new UsageError(`unknown argument: ${sub}`, METRICS_USAGE);
  }
}

/** Runs `ctvs query metrics`. */
export function queryMetrics(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: METRICS_USAGE,
    maxPositionals: 2,
    datasets: () => [METRICS],
    sql: (positionals, limit) => sqlFor(positionals, limit),
  });
}
