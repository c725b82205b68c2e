/**
 * The pipeline most query commands share: parse the shared flags, load the context, make the cache ready, open a
 * session, run one SELECT, render it. A command supplies its usage, its datasets and its SQL.
 *
 * @module
 */
import process from "node:process";
import type { Dataset } from "../../query/dataset.ts";
import { discardInPlace, inPlaceBytes } from "../../query/in_place.ts";
import type { PartitionStatus } from "../../query/partition_status.ts";
import type { TableSource } from "../../query/session.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { UsageError } from "../usage_error.ts";
import { archiveTables } from "./flags.ts";
import { readyCollectionTables } from "./collections.ts";
import { queueBackgroundRefresh, refreshesInBackground } from "./background_refresh.ts";
import { ensureReady, type InPlacePlan, loadContext, type QueryContext, sessionFor, SharedDb } from "./context.ts";
import { watchInPlace } from "./progress.ts";
import { QUERY_FLAGS, type QueryOptions, queryOptionsFrom, TABLE_CAP } from "./flags.ts";
import { render } from "./render.ts";

/** What a command adds to the shared pipeline. */
export interface QuerySpec {
  usage: string;
  /** Positionals the command takes (after its own name). */
  maxPositionals: number;
  /** The datasets it reads (refreshed first), given its positionals. */
  datasets(positionals: string[]): readonly Dataset[];
  /** The SQL to run; `limit` is the row count worth computing (undefined: every row). */
  sql(positionals: string[], limit: number | undefined, options: QueryOptions): string;
  /** Which collection tables it reads, given its positionals (none when absent). */
  collections?(positionals: string[]): (table: string) => boolean;
  /** Checks what the command reads once the collection tables are known (throws a usage error). */
  check?(positionals: string[], ctx: QueryContext, collections: TableSource[]): Promise<void>;
  /** Adjusts the options before the session opens (`service <name>` sets the service scope). */
  adjust?(positionals: string[], options: QueryOptions): QueryOptions;
}

/** The row count worth asking DuckDB for: `--limit`, or one more than a table shows, or every row. */
export function effectiveLimit(options: QueryOptions): number | undefined {
  if (options.limit !== undefined) return options.limit;
  return options.format === "table" || options.format === "markdown" ? TABLE_CAP + 1 : undefined;
}

/** ` LIMIT n`, or nothing. */
export function limitClause(limit: number | undefined): string {
  return limit === undefined ? "" : ` LIMIT ${limit}`;
}

/** Runs one query command. */
export async function runQuery(argv: string[], io: Io, spec: QuerySpec): Promise<number> {
  const { values, positionals } = parseFlags(argv, QUERY_FLAGS, spec.usage, { maxPositionals: spec.maxPositionals });
  const parsed = queryOptionsFrom(values, spec.usage);
  const options = spec.adjust ? spec.adjust(positionals, parsed) : parsed;
  const sql = spec.sql(positionals, effectiveLimit(options), options);
  // One DuckDB for the refresh and the query, opening (on a worker thread) while the config and the cursors are read.
  const shared = new SharedDb();
  shared.start();
  // A partition another process is refreshing is read in place, never waited for; one with much not cached too,
  // when the cache is built in the background after (a person at a terminal, or --refresh background).
  const background = refreshesInBackground(options.refresh, process.env, Boolean(process.stderr.isTTY));
  const plan: InPlacePlan = { minBytes: background ? inPlaceBytes() : undefined, later: [] };
  let ctx: QueryContext | undefined;
  let statuses: PartitionStatus[] = [];
  let session;
  try {
    try {
      ctx = await loadContext(values, options, spec.usage);
      // --archive: the datasets' tables are the archived Parquet the scope needs (fetched first), not the local cache.
      const archived = options.archive ? await archiveTables(ctx, spec.datasets(positionals), options) : undefined;
      const datasets = archived ? [] : spec.datasets(positionals);
      statuses = await ensureReady(ctx, datasets, options, io, shared, plan);
      const wanted = spec.collections?.(positionals);
      const extra = wanted ? await readyCollectionTables(ctx, wanted, options, io, shared) : [];
      await spec.check?.(positionals, ctx, extra);
      session = await sessionFor(ctx, datasets, statuses, options, [...archived ?? [], ...extra], shared);
    } finally {
      await shared.close();
    }
    const read = statuses.filter((s) => s.inPlace);
    const watch = read.length ? watchInPlace(session.db, read, plan.later.length > 0) : undefined;
    try {
      const result = await session.query(sql);
      await render(result, options.format, watch?.io(io) ?? io, options.limit);
    } finally {
      watch?.stop();
      session.close();
    }
  } finally {
    await discardInPlace(statuses.map((s) => s.inPlace));
    // After the answer, so that it does not compete with it; the process does not wait for it.
    if (ctx && plan.later.length) {
      await queueBackgroundRefresh(ctx.cacheDir, ctx.configArgs, plan.later).catch((err) =>
        io.err(`warning: cannot start the background refresh of the query cache: ${(err as Error).message}`)
      );
    }
  }
  return 0;
}

/** A usage error for a missing positional. */
export function requirePositional(positionals: string[], index: number, what: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined || value === "") throw new UsageError(`${what} is required`, usage);
  return value;
}
