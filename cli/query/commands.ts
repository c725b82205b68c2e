/**
 * The `ctvs query` subcommands, in the order `ctvs query --help` lists them.
 *
 * @module
 */
import type { Io } from "../io.ts";
import { ACTIVITY_USAGE, ERRORS_USAGE, queryActivity, queryErrors, queryService, SERVICE_USAGE } from "./activity.ts";
import { CATALOG_USAGE, queryCatalog } from "./catalog.ts";
import { DOCTOR_USAGE, queryDoctor } from "./doctor.ts";
import { LOGS_USAGE, queryLogs } from "./logs.ts";
import { METRICS_USAGE, queryMetrics } from "./metrics.ts";
import { PROXY_USAGE, queryProxy } from "./proxy.ts";
import { queryRefresh, REFRESH_USAGE } from "./refresh.ts";
import { querySample, SAMPLE_USAGE } from "./sample.ts";
import { querySchema, SCHEMA_USAGE } from "./schema.ts";
import { querySql, SQL_USAGE } from "./sql.ts";
import { queryStatus, STATUS_USAGE } from "./status.ts";
import { queryTrace, queryTraces, TRACE_USAGE, TRACES_USAGE } from "./traces.ts";
import { queryUsage, USAGE_USAGE } from "./usage.ts";

/** One `ctvs query <name>` subcommand. */
export interface QueryCommand {
  name: string;
  summary: string;
  usage: string;
  run(argv: string[], io: Io): Promise<number>;
}

/** Every query subcommand. */
export const QUERY_COMMANDS: readonly QueryCommand[] = [
  { name: "doctor", summary: "check config, recordings, cache and freshness", usage: DOCTOR_USAGE, run: queryDoctor },
  { name: "status", summary: "partitions fresh/stale/missing per dataset", usage: STATUS_USAGE, run: queryStatus },
  { name: "catalog", summary: "the tables SQL can name", usage: CATALOG_USAGE, run: queryCatalog },
  { name: "schema", summary: "the columns of a dataset", usage: SCHEMA_USAGE, run: querySchema },
  { name: "refresh", summary: "read new recordings into the cache", usage: REFRESH_USAGE, run: queryRefresh },
  { name: "sample", summary: "a few whole rows of a dataset", usage: SAMPLE_USAGE, run: querySample },
  { name: "sql", summary: "run one read-only SELECT", usage: SQL_USAGE, run: querySql },
  { name: "logs", summary: "the newest log records (count, tail)", usage: LOGS_USAGE, run: queryLogs },
  { name: "traces", summary: "the newest spans (slow, errors)", usage: TRACES_USAGE, run: queryTraces },
  { name: "trace", summary: "every span of one trace", usage: TRACE_USAGE, run: queryTrace },
  {
    name: "metrics",
    summary: "metric names, series, latest points, summaries",
    usage: METRICS_USAGE,
    run: queryMetrics,
  },
  { name: "proxy", summary: "proxied conversations (get, stats, tail)", usage: PROXY_USAGE, run: queryProxy },
  {
    name: "usage",
    summary: "tokens and cost per day, week, month, session, model",
    usage: USAGE_USAGE,
    run: queryUsage,
  },
  { name: "activity", summary: "logs, spans and metrics on one timeline", usage: ACTIVITY_USAGE, run: queryActivity },
  { name: "service", summary: "the timeline of one service", usage: SERVICE_USAGE, run: queryService },
  { name: "errors", summary: "error logs and failed spans", usage: ERRORS_USAGE, run: queryErrors },
];
