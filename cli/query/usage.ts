/**
 * `ctvs query usage daily|weekly|monthly|session|model`: token usage and cost computed from the proxied wire traffic
 * (`llm_requests`), the imported transcripts (`transcript_requests`) or both (`--source`), in the shape ccusage
 * users know, in every output format.
 *
 * @module
 */
import type { Dataset } from "../../query/dataset.ts";
import { LLM_REQUESTS } from "../../query/llm_requests/dataset.ts";
import { TRANSCRIPT_REQUESTS } from "../../query/transcript_requests/dataset.ts";
import {
  USAGE_REPORTS,
  USAGE_SOURCES,
  type UsageReport,
  usageReportSql,
  type UsageSource,
} from "../../query/usage_report.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { rejectService } from "./proxy.ts";
import { runQuery } from "./run_query.ts";

/** Help for `ctvs query usage`. */
export const USAGE_USAGE = `Usage: ctvs query usage [daily|weekly|monthly|session|model] [--breakdown] [options]

Tokens and cost per UTC day (daily, the default), week (from Monday), month, conversation (session) or model, with
a Total row last. Columns: requests, input_tokens (uncached input), output_tokens, cache_write_tokens,
cache_read_tokens, total_tokens, cost_usd, unpriced_requests (requests with tokens but no price: their cost is left
out of cost_usd, never counted as 0).

  --source <s>              all (default): the requests the proxy recorded (llm_requests) and the ones
                            imported from Claude Code and Codex transcripts (ctvs import), a request both
                            saw counted once, from the proxy's record; proxy or transcripts: only those
  --breakdown               one row per model within each day, week, month or session
  --since <date|duration>   YYYYMMDD, YYYY-MM-DD, or a duration like 7d
  --until <date>            YYYYMMDD or YYYY-MM-DD (inclusive)
${QUERY_FLAGS_HELP}`;

const DAY = /^(\d{4})-?(\d{2})-?(\d{2})$/;

/**
 * Rewrites ccusage-style `--since/--until <date>` into `--from/--to` and takes out `--breakdown` and `--source`;
 * other arguments pass unchanged.
 */
export function usageArgs(argv: string[]): { argv: string[]; breakdown: boolean; source: UsageSource } {
  const out: string[] = [];
  let breakdown = false;
  let source: UsageSource = "all";
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    if (flag === "--breakdown") {
      breakdown = true;
      continue;
    }
    if (flag === "--source") {
      const value = inline ?? argv[++i];
      if (!(USAGE_SOURCES as readonly (string | undefined)[]).includes(value)) {
        throw new UsageError("--source must be proxy, transcripts, or all", USAGE_USAGE);
      }
      source = value as UsageSource;
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
  return { argv: out, breakdown, source };
}

/** The datasets a source reads. */
export const USAGE_DATASETS: Record<UsageSource, readonly Dataset[]> = {
  proxy: [LLM_REQUESTS],
  transcripts: [TRANSCRIPT_REQUESTS],
  all: [LLM_REQUESTS, TRANSCRIPT_REQUESTS],
};

/** Runs `ctvs query usage`. */
export function queryUsage(argv: string[], io: Io): Promise<number> {
  const { argv: rest, breakdown, source } = usageArgs(argv);
  return runQuery(rest, io, {
    usage: USAGE_USAGE,
    maxPositionals: 1,
    datasets: () => USAGE_DATASETS[source],
    adjust: (_positionals, options) => {
      rejectService("usage", options, USAGE_USAGE);
      return options;
    },
    sql: ([report = "daily"]) => {
      if (!(USAGE_REPORTS as readonly string[]).includes(report)) {
        throw new UsageError(`unknown report: ${report} (daily, weekly, monthly, session, model)`, USAGE_USAGE);
      }
      return usageReportSql(report as UsageReport, breakdown, source);
    },
  });
}
