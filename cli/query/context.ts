/**
 * What every query command loads first: the config, the recording root and the cache directory, then the cache made
 * ready per `--refresh` and `--strict-freshness` (reference §2.3 freshness handling), and a locked-down session.
 *
 * @module
 */
import path from "node:path";
import { ConfigError } from "../../platform/config/config_error.ts";
import { loadConfig } from "../../platform/config/load.ts";
import { recordingRoot } from "../../platform/config/recording_root.ts";
import { useClaudeTranscripts } from "../../query/transcripts.ts";
import type { Config } from "../../platform/config/types.ts";
import { expandHome, homeDir } from "../../platform/paths.ts";
import { tooBroadReason } from "../../query/broad_dir.ts";
import { configuredCacheDir, inPlaceDir } from "../../query/cache_layout.ts";
import type { Dataset } from "../../query/dataset.ts";
import { type Db, openDb } from "../../query/duckdb.ts";
import { discardInPlace, readInPlace, uncachedBytes } from "../../query/in_place.ts";
import { partitionLabel } from "../../query/partitions.ts";
import { datasetTable, type PartitionStatus, partitionStatuses } from "../../query/partition_status.ts";
import { refreshAll, type RefreshEvent } from "../../query/refresh_all.ts";
import { openSession, type Session, type TableSource } from "../../query/session.ts";
import { configSourceFrom } from "../config_flags.ts";
import type { Io } from "../io.ts";
import type { ParsedFlags } from "../parse_flags.ts";
import type { QueryOptions } from "./flags.ts";
import { Progress } from "./progress.ts";

/** A command failure with its own message: printed as `error: <message>`, exit 1. */
export class QueryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "QueryError";
  }
}

/** Where the recordings and the cache are. */
export interface QueryContext {
  config: Config;
  configLabel: string;
  root: string;
  cacheDir: string;
  cacheEnabled: boolean;
  /** The command that refreshes, for messages (`ctvs query refresh --config ...`). */
  refreshCommand: string;
  /** The flags that name this config and cache to another ctvs (`--config <path>`, `--cache-dir <dir>`). */
  configArgs: string[];
}

const SAFE = /^[A-Za-z0-9_./:@+=-]+$/;

/** Quotes a shell word only when it needs it. */
export function shellWord(word: string): string {
  return SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Refuses a directory user SQL would read when it is too broad (`/`, `~`, ...): a config error saying what to do. */
function refuseBroad(dir: string, what: string, fix: string): void {
  const reason = tooBroadReason(dir);
  if (!reason) return;
  throw new ConfigError(
    `${dir} cannot be ${what}: ${reason}, and queries may read every file under it; ${fix}, ` +
      `for example ${path.join(homeDir(), ".hyp", "collectivus")}`,
  );
}

/** Loads the config named by the flags and resolves the root and cache directory. */
export async function loadContext(
  values: ParsedFlags["values"],
  options: Pick<QueryOptions, "cacheDir" | "scope">,
  usage: string,
): Promise<QueryContext> {
  const source = configSourceFrom(values, usage);
  const loaded = await loadConfig(source, { strict: values.strict === true });
  useClaudeTranscripts(loaded.config.query?.claude_transcripts_dir);
  const root = recordingRoot(loaded.config);
  const cacheDir = options.cacheDir
    ? path.resolve(expandHome(options.cacheDir))
    : configuredCacheDir(loaded.config, root);
  refuseBroad(
    root,
    "the recordings root",
    "set sink.dir (server.sink_dir for a server) to the folder of the recordings",
  );
  refuseBroad(cacheDir, "the query cache", "set query.cache.dir (or --cache-dir) to a folder of its own");
  const configArgs: string[] = [];
  if (source.kind === "file" || source.kind === "url") {
    configArgs.push("--config", source.kind === "file" ? source.path : source.url);
  }
  if (source.kind === "env") configArgs.push("--config-env", source.variable);
  if (source.kind === "default") configArgs.push("--default-config");
  if (options.cacheDir) configArgs.push("--cache-dir", options.cacheDir);
  const words = ["ctvs", "query", "refresh", ...configArgs];
  for (const gw of options.scope.gatewayIds ?? []) words.push("--gateway-id", gw);
  for (const d of options.scope.dates ?? []) words.push("--date", d);
  return {
    config: loaded.config,
    configLabel: loaded.source,
    root,
    cacheDir,
    cacheEnabled: options.cacheDir !== undefined || loaded.config.query?.cache?.enabled !== false,
    refreshCommand: words.map(shellWord).join(" "),
    configArgs,
  };
}

/**
 * Prints refresh progress on a TTY (stderr: rows and megabytes read so far, and the rate), the malformed-line
 * warnings always, and with `verbose` one line per partition on stdout.
 */
export function refreshReporter(io: Io, verbose: boolean, progress = new Progress("refreshing")): (
  event: RefreshEvent,
) => void {
  // Totals of the partitions done, and what the current one has read so far.
  let doneRows = 0, doneBytes = 0, lines = 0, bytes = 0;
  return (event) => {
    if (event.kind === "malformed") {
      progress.clear();
      io.err(
        `[collectivus] skipping malformed JSONL line ${event.sourcePath}:${event.line.line}: ${event.line.reason}`,
      );
    } else if (event.kind === "bytes") {
      lines = event.lines;
      bytes = event.bytes;
      progress.show({ label: event.label, rows: doneRows + lines, bytes: doneBytes + bytes });
    } else {
      progress.clear();
      doneRows += event.kind === "wrote" ? event.rows : 0;
      doneBytes += bytes;
      lines = bytes = 0;
      if (event.kind === "failed") io.err(`error: refresh failed for ${event.label}: ${event.error}`);
      else if (verbose && event.kind === "fresh") io.out(`fresh ${event.label}`);
      else if (verbose && event.kind === "wrote") {
        io.out(`wrote ${event.label}${event.path ? `/${event.path}` : ""} (${event.rows} rows)`);
      }
    }
  };
}

/**
 * A DuckDB opened on first use, kept open for what follows: a query process refreshes and queries in one database
 * instead of paying for a second. `start()` begins opening it early (it opens on a worker thread, beside the config
 * and freshness reads); `take()` hands it over; `close()` closes it unless taken.
 */
export class SharedDb {
  #db: Promise<Db> | undefined;
  #taken = false;

  /** Starts opening the database (once). */
  start(): Promise<Db> {
    if (!this.#db) {
      this.#db = openDb();
      // Whoever awaits it sees a failure; an unawaited one must not become an unhandled rejection.
      this.#db.catch(() => {});
    }
    return this.#db;
  }

  /** The database, now owned by the caller (a session closes it). */
  take(): Promise<Db> {
    this.#taken = true;
    return this.start();
  }

  /** Closes the database if it was opened and not taken. */
  async close(): Promise<void> {
    if (!this.#db || this.#taken) return;
    const db = await this.#db.catch(() => undefined);
    db?.close();
  }
}

/**
 * How a query may read partitions in place instead of refreshing them first (`query/in_place.ts`); without it, every
 * partition is refreshed first, waiting for one another process is refreshing.
 */
export interface InPlacePlan {
  /**
   * Read in place the partitions of datasets read line by line with at least this many bytes not cached, and list
   * their day files in `later` for a background refresh. Undefined: refresh them first.
   */
  minBytes?: number;
  /** The day files read in place for lack of a cache (filled in). */
  later: string[];
}

/**
 * Makes the cache of `datasets` ready for a query: refreshes per `--refresh`, then enforces freshness. Throws a
 * {@link QueryError} for a missing partition, a stale one under `--strict-freshness`, or failed refreshes; warns on
 * stderr for stale partitions otherwise. Resolves with the statuses to query. A refresh runs in `shared` (kept open
 * for the query) when given, else in a database of its own.
 *
 * With a `plan` (and `--refresh auto` or `background`), a partition whose refresh would wait for another process
 * (a background refresh holds its lock) is read in place instead, and so is one with `plan.minBytes` not cached. The
 * statuses of those carry their `inPlace` read: discard its copies (`discardInPlace`) once the query is done.
 */
export async function ensureReady(
  ctx: QueryContext,
  datasets: readonly Dataset[],
  options: QueryOptions,
  io: Io,
  shared?: SharedDb,
  plan?: InPlacePlan,
): Promise<PartitionStatus[]> {
  if (!ctx.cacheEnabled) {
    throw new QueryError("query cache is disabled; pass --cache-dir or set query.cache.enabled: true");
  }
  const filter = { gatewayIds: options.scope.gatewayIds, dates: options.scope.dates };
  let statuses = await partitionStatuses(ctx.root, ctx.cacheDir, datasets, filter);
  if (
    options.refresh !== "never" && statuses.some((s) => s.freshness.state !== "fresh" || options.refresh === "always")
  ) {
    const inPlace = plan && options.refresh !== "always";
    const scratch = inPlaceDir(ctx.cacheDir);
    const read: PartitionStatus[] = [];
    let db: Db | undefined;
    try {
      if (inPlace && plan.minBytes !== undefined) {
        for (const status of statuses) {
          if (status.partition.dataset.derive || await uncachedBytes(status) < plan.minBytes) continue;
          read.push({ ...status, inPlace: await readInPlace(status, scratch) });
          plan.later.push(status.partition.sourcePath);
        }
      }
      db = shared ? await shared.start() : await openDb();
      const rest = statuses.filter((s) => !read.some((r) => r.partition === s.partition));
      const summary = await refreshAll(db, rest, {
        force: false,
        onEvent: refreshReporter(io, false),
        noWait: inPlace,
      });
      if (summary.failures > 0) throw new QueryError(`refresh failed for ${summary.failures} partition(s)`);
      // Partitions another process is refreshing: read in place rather than wait for it.
      for (const status of summary.busy) read.push({ ...status, inPlace: await readInPlace(status, scratch) });
      statuses = [...summary.statuses, ...read];
    } catch (err) {
      await discardInPlace(read.map((s) => s.inPlace));
      throw err;
    } finally {
      if (!shared) db?.close();
    }
  }
  const current = statuses.filter((s) => !s.inPlace);
  const missing = current.find((s) => s.freshness.state === "missing");
  if (missing) {
    throw new QueryError(
      `query cache is missing for ${partitionLabel(missing.partition)}: missing (${missing.freshness.reason}). ` +
        `Run: ${ctx.refreshCommand}`,
    );
  }
  const stale = current.filter((s) => s.freshness.state === "stale");
  if (stale.length && options.strictFreshness) {
    throw new QueryError(
      `query cache is stale for ${partitionLabel(stale[0].partition)}: stale (${stale[0].freshness.reason}) ` +
        `(--strict-freshness set). Run: ${ctx.refreshCommand}`,
    );
  }
  if (stale.length) {
    const last = stale.map((s) => s.cursor?.refreshed_at ?? "never").sort()[0];
    const names = stale.slice(0, 3).map((s) => `${partitionLabel(s.partition)} (${s.freshness.reason})`);
    const more = stale.length > 3 ? `, +${stale.length - 3} more` : "";
    io.err(
      `warning: query cache last refreshed at ${last}; ${stale.length} partition(s) outdated ` +
        `[${names.join(", ")}${more}] — run '${ctx.refreshCommand}' to update`,
    );
  }
  return statuses;
}

/**
 * Opens a session over the datasets' cached parts (plus `extra` tables), confined to the cache and the root, in the
 * database of `shared` when given.
 */
export async function sessionFor(
  ctx: QueryContext,
  datasets: readonly Dataset[],
  statuses: PartitionStatus[],
  options: QueryOptions,
  extra: TableSource[] = [],
  shared?: SharedDb,
): Promise<Session> {
  const tables = [...datasets.map((d) => datasetTable(d, statuses)), ...extra];
  return await openSession(tables, options.scope, [ctx.cacheDir, ctx.root], shared && await shared.take());
}
