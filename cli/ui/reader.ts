/**
 * How `ctvs ui` reads: the `ctvs query` pipeline (make the cache of the datasets ready, open a locked-down session,
 * run one read-only SELECT) once per request, with the rows as plain JSON values. Cache work is serialized (one
 * refresh at a time) and, in `auto` mode, a dataset refreshed less than `minRefreshMs` ago is read as cached, so
 * paging through a screen while the proxy is writing does not re-derive the day on every click; the page's Refresh
 * button forces it.
 *
 * @module
 */
import type { DuckDBResult } from "@duckdb/node-api";
import type { Dataset } from "../../query/dataset.ts";
import type { PartitionStatus } from "../../query/partition_status.ts";
import type { Scope } from "../../query/scope.ts";
import type { Session } from "../../query/session.ts";
import type { Io } from "../io.ts";
import { readyCollectionTables } from "../query/collections.ts";
import { ensureReady, type QueryContext, sessionFor, SharedDb } from "../query/context.ts";
import type { QueryOptions, RefreshMode } from "../query/flags.ts";
import { columnsOf, rowsOf } from "../query/render.ts";

/** The refresh modes of `ctvs ui --refresh` (a server reads what it needs; no background refresh of its own). */
export type UiRefreshMode = Exclude<RefreshMode, "background">;

/** A row with JSON columns parsed and timestamps as ISO strings. */
export type PlainRow = Record<string, unknown>;

/** What one read runs over. */
export interface ReadScope {
  datasets: readonly Dataset[];
  /** `--from`/`--to` as the query commands apply them. */
  from?: string;
  to?: string;
  /** Collection tables the SQL names. */
  collections?: (table: string) => boolean;
}

/** Reads through the query layer for the UI. */
export class UiReader {
  readonly ctx: QueryContext;
  readonly mode: UiRefreshMode;
  readonly #io: Io;
  readonly #minRefreshMs: number;
  #queue: Promise<unknown> = Promise.resolve();
  readonly #refreshedAt = new Map<string, number>();

  constructor(ctx: QueryContext, mode: UiRefreshMode, io: Io, minRefreshMs = 10_000) {
    this.ctx = ctx;
    this.mode = mode;
    this.#minRefreshMs = minRefreshMs;
    // Stale-cache warnings are for a terminal reader of one query; the page shows freshness itself.
    this.#io = { ...io, out: () => {}, err: (line) => line.startsWith("warning: query cache") || io.err(line) };
  }

  /** The options the query pipeline takes, for a read over `scope`. */
  #options(scope: ReadScope, refresh: RefreshMode): QueryOptions {
    const range: Scope = { ...(scope.from ? { from: scope.from } : {}), ...(scope.to ? { to: scope.to } : {}) };
    return {
      scope: range,
      limit: undefined,
      format: "jsonl",
      refresh,
      strictFreshness: false,
      cacheDir: undefined,
    };
  }

  /** The refresh a read of `datasets` does now: `force` for the Refresh button. */
  #modeFor(datasets: readonly Dataset[], force: boolean): RefreshMode {
    if (force) return "always";
    if (this.mode !== "auto") return this.mode;
    const now = Date.now();
    const recent = datasets.every((d) => now - (this.#refreshedAt.get(d.name) ?? 0) < this.#minRefreshMs);
    return recent ? "never" : "auto";
  }

  /** Runs `work` after the cache work queued before it. */
  #serial<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => {});
    return run;
  }

  /** Makes `scope`'s datasets ready (refreshing per the mode, or now when `force`) in `shared`. */
  ready(scope: ReadScope, force = false, shared?: SharedDb): Promise<PartitionStatus[]> {
    return this.#serial(async () => {
      const refresh = this.#modeFor(scope.datasets, force);
      const statuses = await ensureReady(this.ctx, scope.datasets, this.#options(scope, refresh), this.#io, shared);
      if (refresh !== "never") { for (const d of scope.datasets) this.#refreshedAt.set(d.name, Date.now()); }
      return statuses;
    });
  }

  /** Opens a session over `scope` with its cache ready; the caller closes it. */
  async session(scope: ReadScope): Promise<Session> {
    const shared = new SharedDb();
    shared.start();
    try {
      const statuses = await this.ready(scope, false, shared);
      const options = this.#options(scope, "never");
      const extra = scope.collections
        ? await readyCollectionTables(this.ctx, scope.collections, { ...options, refresh: this.mode }, this.#io, shared)
        : [];
      return await sessionFor(this.ctx, scope.datasets, statuses, options, extra, shared);
    } finally {
      await shared.close();
    }
  }

  /** Runs `sql` over `scope` and returns at most `limit` rows. */
  async rows(scope: ReadScope, sql: string, limit = Number.POSITIVE_INFINITY): Promise<PlainRow[]> {
    const session = await this.session(scope);
    try {
      return await plainRows(await session.query(sql), limit);
    } finally {
      session.close();
    }
  }
}

/** The rows of a result as objects of plain JSON values. */
export async function plainRows(result: DuckDBResult, limit = Number.POSITIVE_INFINITY): Promise<PlainRow[]> {
  const columns = columnsOf(result);
  const rows: PlainRow[] = [];
  for await (const cells of rowsOf(result, columns, true, limit)) {
    rows.push(Object.fromEntries(columns.map((c, i) => [c.name, cells[i]])));
  }
  return rows;
}
