/**
 * The flags every `ctvs query` command shares, defined once (reference §2.3), and their validation into
 * {@link QueryOptions}.
 *
 * @module
 */
import process from "node:process";
import { archiveTables as fetchArchive } from "../../query/archive_query.ts";
import type { Dataset } from "../../query/dataset.ts";
import type { Scope } from "../../query/scope.ts";
import type { TableSource } from "../../query/session.ts";
import { CONFIG_FLAGS } from "../config_flags.ts";
import type { FlagSpec, ParsedFlags } from "../parse_flags.ts";
import { parseDuration } from "../duration.ts";
import { UsageError } from "../usage_error.ts";
import { type QueryContext, QueryError } from "./context.ts";
import { Progress } from "./progress.ts";

/** Output formats. */
export const FORMATS = ["table", "json", "jsonl", "markdown", "csv"] as const;
export type Format = typeof FORMATS[number];
/**
 * When to refresh the cache before querying: `auto` what changed (on a terminal, a partition with much not cached is
 * read from its JSONL and cached by a background refresh: `background`), `always` everything first, `never` nothing.
 */
export type RefreshMode = "auto" | "background" | "never" | "always";
const REFRESH_MODES = "auto, background, never, or always";

/** Rows a table or markdown output shows at most. */
export const TABLE_CAP = 100;
/** The largest `--limit`. */
export const MAX_LIMIT = 10_000_000;

/** The shared query flags (config flags included). */
export const QUERY_FLAGS: Record<string, FlagSpec> = {
  ...CONFIG_FLAGS,
  "cache-dir": { type: "string", requires: "--cache-dir requires a directory" },
  "from": { type: "string", requires: "--from requires a date or time" },
  "to": { type: "string", requires: "--to requires a date or time" },
  "since": { type: "string", requires: "--since requires a duration like 15m, 2h, or 7d" },
  "date": { type: "string", multiple: true, requires: "--date requires YYYY-MM-DD" },
  "gateway-id": { type: "string", multiple: true, requires: "--gateway-id requires an id" },
  "service": { type: "string", requires: "--service requires a service name" },
  "limit": { type: "string", requires: "--limit requires a number" },
  "format": { type: "string", requires: "--format requires table, json, jsonl, markdown, or csv" },
  "refresh": { type: "string", requires: `--refresh requires ${REFRESH_MODES}` },
  "strict-freshness": { type: "boolean" },
  "archive": { type: "boolean" },
};

/** Help lines for {@link QUERY_FLAGS}. */
export const QUERY_FLAGS_HELP = `Options:
  --config <path|url>       the config naming the recordings (default ~/.hyp/collectivus.json); or
                            --config-env <VAR>, --config-endpoint <url>, --default-config (~/.hyp/collectivus)
  --cache-dir <dir>         the query cache (default <sink.dir>/.collectivus-query/cache)
  --since <N>(ms|s|m|h|d|w) only rows newer than this
  --from <time>, --to <time>  a time range (anything Date.parse reads)
  --date YYYY-MM-DD         only this day's partitions (repeatable)
  --gateway-id <id>         only this gateway (repeatable)
  --service <name>          only this serviceName
  --limit <n>               at most n rows (tables show 100 at most; json, jsonl and csv stream every row)
  --format <f>              table (default), json, jsonl, markdown, csv
  --refresh <mode>          auto (default): refresh what changed, then query; on a terminal, a day with 64 MiB or
                            more not cached yet is read from its JSONL and cached in the background after.
                            background: that anywhere. always: refresh everything first. never: only the cache
  --strict-freshness        fail instead of warning when the cache is stale
  --archive                 query the S3 archive (the upload block) instead of the local recordings:
                            only the days and gateways asked for are downloaded (docs/archive.md)`;

/** The validated shared options. */
export interface QueryOptions {
  scope: Scope;
  limit: number | undefined;
  format: Format;
  refresh: RefreshMode;
  strictFreshness: boolean;
  cacheDir: string | undefined;
  /** `--archive`: read the uploaded Parquet, not the local recordings. */
  archive?: boolean;
}

function instant(flag: string, text: string | undefined, usage: string): string | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new UsageError(`--${flag} must be a date or time, got ${text}`, usage);
  return new Date(ms).toISOString();
}

/**
 * Validates the shared flags; `now` is injectable for `--since`. Throws {@link UsageError}s with the reference's
 * messages.
 */
export function queryOptionsFrom(values: ParsedFlags["values"], usage: string, now = Date.now()): QueryOptions {
  const format = (values.format as string | undefined) ?? "table";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError("--format must be table, json, jsonl, markdown, or csv", usage);
  }
  const refresh = (values.refresh as string | undefined) ?? "auto";
  if (!["auto", "background", "never", "always"].includes(refresh)) {
    throw new UsageError(`--refresh must be ${REFRESH_MODES}`, usage);
  }
  let limit: number | undefined;
  if (values.limit !== undefined) {
    limit = Number(values.limit);
    if (!/^\d+$/.test(values.limit as string) || limit < 1 || limit > MAX_LIMIT) {
      throw new UsageError(`--limit must be an integer between 1 and ${MAX_LIMIT}`, usage);
    }
  }
  const dates = (values.date as string[] | undefined) ?? [];
  for (const d of dates) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d) || Number.isNaN(Date.parse(`${d}T00:00:00Z`))) {
      throw new UsageError(`--date must be YYYY-MM-DD, got ${d}`, usage);
    }
  }
  let from = instant("from", values.from as string | undefined, usage);
  const to = instant("to", values.to as string | undefined, usage);
  if (values.since !== undefined) {
    const ms = parseDuration(values.since as string);
    if (ms === undefined) throw new UsageError("--since requires a duration like 15m, 2h, or 7d", usage);
    const since = new Date(now - ms).toISOString();
    if (!from || since > from) from = since;
  }
  if (from && to && from > to) throw new UsageError("--from must be before --to", usage);
  const gatewayIds = (values["gateway-id"] as string[] | undefined) ?? [];
  return {
    scope: {
      gatewayIds: gatewayIds.length ? gatewayIds : undefined,
      dates: dates.length ? dates : undefined,
      from,
      to,
      service: values.service as string | undefined,
    },
    limit,
    format: format as Format,
    refresh: refresh as RefreshMode,
    strictFreshness: values["strict-freshness"] === true,
    cacheDir: values["cache-dir"] as string | undefined,
    ...(values.archive ? { archive: true } : {}),
  };
}

/**
 * `--archive`'s hook: the tables of `datasets` over the S3 archive the scope needs (fetched into the cache first,
 * `fetching <key> (i/n)` on a terminal). Failures are {@link QueryError}s.
 */
export async function archiveTables(
  ctx: QueryContext,
  datasets: readonly Dataset[],
  options: QueryOptions,
): Promise<TableSource[]> {
  const progress = new Progress("fetching");
  let fetched = 0;
  try {
    const { tables } = await fetchArchive({
      config: ctx.config,
      cacheDir: ctx.cacheDir,
      datasets,
      scope: options.scope,
      env: process.env,
      onFetch: (p, i, n) => progress.show({ label: `${i + 1}/${n} ${p.key}`, rows: 0, bytes: fetched += p.size }),
    });
    return tables;
  } catch (error) {
    throw new QueryError(`--archive: ${(error as Error).message}`);
  } finally {
    progress.clear();
  }
}
