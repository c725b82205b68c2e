/**
 * `ctvs query usage daily|weekly|monthly|session|model`: token usage and cost computed from the proxied wire traffic
 * (the `llm_requests` dataset), in the shape ccusage users know, in every output format.
 *
 * @module
 */
import { LLM_REQUESTS } from "../../query/llm_requests/dataset.ts";
import { USAGE_REPORTS, type UsageReport, usageReportSql } from "../../query/usage_report.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { rejectService } from "./proxy.ts";
import { runQuery } from "./run_query.ts";

/** Help for `ctvs query usage`. */
export const USAGE_USAGE = `Usage: ctvs query usage [daily|weekly|monthly|session|model] [--breakdown] [options]

Tokens and cost per UTC day (daily, the default), week (from Monday), month, conversation (session) or model, from
the llm_requests dataset, with a Total row last. Columns: requests, input_tokens (uncached input), output_tokens,
cache_write_tokens, cache_read_tokens, total_tokens, cost_usd, unpriced_requests (requests with tokens but no
price: their cost is left out of cost_usd, never counted as 0).

  --breakdown               one row per model within each day, week, month or session
  --since <date|duration>   YYYYMMDD, YYYY-MM-DD, or a duration like 7d
  --until <date>            YYYYMMDD or YYYY-MM-DD (inclusive)
${QUERY_FLAGS_HELP}`;

const DAY = /^(\d{4})-?(\d{2})-?(\d{2})$/;

/** Rewrites ccusage-style `--since/--until <date>` into `--from/--to`; other arguments pass unchanged. */
export function usageArgs(argv: string[]): { argv: string[]; breakdown: boolean } {
  const out: string[] = [];
  let breakdown = false;
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--breakdown") {
      breakdown = true;
      continue;
    }
    if (flag !== "--since" && flag !== "--until") {
      out.push(argv[i]);
      continue;
    }
    const value = inline ?? argv[++i];
    const day = value === undefined ? null : DAY.exec(value);
    if (flag === "--since" && !day) {
      out.push("--since", value ?? "");
      continue;
    }
    if (!day) throw new UsageError("--until must be YYYYMMDD or YYYY-MM-DD", USAGE_USAGE);
    const date = `${day[1]}-${day[2]}-${day[3]}`;
    out.push(
      flag === "--since" ? "--from" : "--to",
      flag === "--since" ? `${date}T00:00:00Z` : `${date}T23:59:59.999Z`,
    );
  }
  return { argv: out, breakdown };
}

/** Runs `ctvs query usage`. */
export function queryUsage(argv: string[], io: Io): Promise<number> {
  const { argv: rest, breakdown } = usageArgs(argv);
  return runQuery(rest, io, {
    usage: USAGE_USAGE,
    maxPositionals: 1,
    datasets: () => [LLM_REQUESTS],
    adjust: (_positionals, options) => {
      rejectService("usage", options, USAGE_USAGE);
      return options;
    },
    sql: ([report = "daily"]) => {
      if (!(USAGE_REPORTS as readonly string[]).includes(report)) {
        throw new UsageError(`unknown report: ${report} (daily, weekly, monthly, session, model)`, USAGE_USAGE);
      }
      return usageReportSql(report as UsageReport, breakdown);
    },
  });
}
