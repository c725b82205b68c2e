/**
 * `ctvs query refresh [--all] [<dataset>|<collection>|<file.jsonl>]... [--force]`: brings the cache up to date with
 * the recordings and the collections and says what it did, one line per partition or collection source, then a
 * `Done.` line (reference §2.3 refresh output). Exit 1 if any failed.
 *
 * @module
 */
import { closeSync, openSync, writeSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { acquireFileLock, FileLockTimeoutError } from "../../platform/file_lock.ts";
import { backgroundDir, partitionDir } from "../../query/cache_layout.ts";
import { type Collection, loadCollections } from "../../query/collections/manifest.ts";
import { collectionSources, refreshCollection } from "../../query/collections/tables.ts";
import type { Dataset } from "../../query/dataset.ts";
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { type PartitionStatus, statusOf } from "../../query/partition_status.ts";
import { refreshAll } from "../../query/refresh_all.ts";
import { dayFileDate } from "../../storage/day_files.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { backgroundLock, backgroundLog, queued, takeQueue } from "./background_refresh.ts";
import { QueryError, refreshReporter } from "./context.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { inspect, type Inspection, statusesOf } from "./inspect.ts";
import { Progress } from "./progress.ts";

/** Help for `ctvs query refresh`. */
export const REFRESH_USAGE =
  `Usage: ctvs query refresh [--all] [<dataset>|<collection>|<file.jsonl>]... [--force] [options]

Reads what is new in the JSONL recordings and the collections (ctvs collect) into the query cache: everything (--all,
the default), or each dataset, collection or source file named. A file is a recording day file
(<root>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl) or a file a collection reads. --gateway-id and --date limit the
dataset partitions (collections are then refreshed only when named). Prints "fresh <partition>" or
"wrote <partition>/<part> (<n> rows)" per partition, "fresh <table> from <file>" or
"wrote <table> from <file> (<n> rows)" per collection source, then "Done. X file(s) written, Y fresh, Z row(s)".
On a terminal, stderr shows the progress (rows, MB, MB/s). --force rebuilds each from its first line.

  --all                     everything (the default when nothing is named)
  --force                   re-read in full (a new epoch)
  --background              refresh the day files queries read from their JSONL and queued for it (what a query
                            starts by itself, detached; see docs/query.md), logging to
                            <cache>/background-refresh/last.log; exits at once if one is already running
${QUERY_FLAGS_HELP}`;

/** What one refresh run covers. */
interface Targets {
  statuses: PartitionStatus[];
  /** Collection table -> the sources to refresh (undefined: all of them). */
  collections: Map<string, { collection: Collection; only?: Set<string> }>;
}

/** The collection called `word` (its table or its name). */
function collectionNamed(collections: Record<string, Collection>, word: string): Collection | undefined {
  return collections[word] ?? Object.values(collections).find((c) => c.name === word);
}

/** The built-in partitions whose day file is `file` (`<root>/<gw>/<signal>/<date>.jsonl`). */
function partitionsOfFile(seen: Inspection, file: string): Promise<PartitionStatus[]> {
  const parts = path.relative(seen.ctx.root, file).split(path.sep);
  const date = parts.length === 3 && !parts[0].startsWith(".") ? dayFileDate(parts[2]) : undefined;
  if (!date || parts[0] === "..") return Promise.resolve([]);
  const [gatewayId, signal] = parts;
  return Promise.all(
    DATASETS.filter((d) => d.signal === signal).map((dataset) =>
      statusOf({
        dataset,
        gatewayId,
        date,
        sourcePath: file,
        dir: partitionDir(seen.ctx.cacheDir, dataset.name, gatewayId, date),
      })
    ),
  );
}

/** Resolves `words` (the positionals; none: everything in scope) to partitions and collection sources. */
async function targetsOf(
  seen: Inspection,
  collections: Record<string, Collection>,
  words = seen.positionals,
): Promise<Targets> {
  const targets: Targets = { statuses: [], collections: new Map() };
  const scoped = Boolean(seen.options.scope.gatewayIds?.length || seen.options.scope.dates?.length);
  const datasets: Dataset[] = [];
  if (words.length === 0) {
    datasets.push(...DATASETS);
    if (!scoped) {
      for (const collection of Object.values(collections)) targets.collections.set(collection.table, { collection });
    }
  }
  const files: PartitionStatus[] = [];
  for (const word of words) {
    const dataset = datasetNamed(word);
    if (dataset) {
      if (!datasets.includes(dataset)) datasets.push(dataset);
      continue;
    }
    const collection = collectionNamed(collections, word);
    if (collection) {
      targets.collections.set(collection.table, { collection });
      continue;
    }
    if (!word.includes("/") && !word.endsWith(".jsonl")) {
      const available = [...DATASETS.map((d) => d.name), ...Object.keys(collections)];
      throw new UsageError(`unknown dataset "${word}"; available datasets: ${available.join(", ")}`, REFRESH_USAGE);
    }
    const file = path.resolve(process.cwd(), word);
    const found = await partitionsOfFile(seen, file);
    files.push(...found);
    let matched = found.length;
    for (const collection of Object.values(collections)) {
      const sources = await collectionSources(seen.ctx.cacheDir, collection);
      if (!sources.some((s) => s.sourcePath === file)) continue;
      const entry = targets.collections.get(collection.table) ?? { collection, only: new Set<string>() };
      entry.only?.add(file);
      targets.collections.set(collection.table, entry);
      matched++;
    }
    if (matched === 0) {
      throw new UsageError(
        `${file} is not a recording day file (<root>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl under ` +
          `${seen.ctx.root}) nor a source of a collection`,
        REFRESH_USAGE,
      );
    }
  }
  const seenDirs = new Set<string>();
  for (const status of [...await statusesOf(seen, datasets), ...files]) {
    if (seenDirs.has(status.partition.dir)) continue;
    seenDirs.add(status.partition.dir);
    targets.statuses.push(status);
  }
  return targets;
}

/** Runs `ctvs query refresh`. */
export async function queryRefresh(argv: string[], io: Io): Promise<number> {
  const seen = await inspect(argv, REFRESH_USAGE, {
    command: "ctvs query refresh",
    notArchived: "archived days never change, and a query with --archive downloads the ones it needs",
    takes: ["cache-dir", "date", "gateway-id"],
    maxPositionals: Number.POSITIVE_INFINITY,
    flags: { all: { type: "boolean" }, force: { type: "boolean" }, background: { type: "boolean" } },
  });
  if (!seen.ctx.cacheEnabled) {
    throw new QueryError("query cache is disabled; pass --cache-dir or set query.cache.enabled: true");
  }
  if (seen.values.background === true) {
    if (seen.positionals.length || seen.values.force === true || seen.values.all === true) {
      throw new UsageError("--background refreshes what queries queued: name nothing else", REFRESH_USAGE);
    }
    return await refreshQueued(seen);
  }
  const targets = await targetsOf(seen, await loadCollections(seen.ctx.root));
  if (targets.statuses.length === 0 && targets.collections.size === 0) {
    io.out(`No JSONL files matched in ${seen.ctx.root}.`);
    return 0;
  }
  return await refreshTargets(seen, targets, io, new Progress("refreshing"));
}

/** Refreshes `targets`, one line per partition or collection source, then the `Done.` line; 1 if any failed. */
async function refreshTargets(seen: Inspection, targets: Targets, io: Io, progress: Progress): Promise<number> {
  const force = seen.values.force === true;
  const db = await openDb();
  try {
    const summary = await refreshAll(db, targets.statuses, { force, onEvent: refreshReporter(io, true, progress) });
    const totals = { written: summary.written, fresh: summary.fresh, rows: summary.rows, failures: summary.failures };
    for (const { collection, only } of targets.collections.values()) {
      const done = await refreshCollection(db, seen.ctx.cacheDir, collection, {
        force,
        only: only && ((file) => only.has(file)),
        onBytes: (file, bytes, lines) =>
          progress.show({ label: `${collection.table} from ${file}`, rows: lines, bytes }),
        onEvent: (e) => {
          progress.clear();
          if (e.kind === "wrote") io.out(`wrote ${e.table} from ${e.sourcePath} (${e.rows} rows)`);
          else if (e.kind === "fresh") io.out(`fresh ${e.table} from ${e.sourcePath}`);
          else if (e.kind === "failed") io.err(`error: refresh failed for ${e.table} from ${e.sourcePath}: ${e.error}`);
          else io.err(`[collectivus] skipping malformed JSONL line ${e.sourcePath}:${e.line.line}: ${e.line.reason}`);
        },
      });
      for (const key of ["written", "fresh", "rows", "failures"] as const) totals[key] += done[key];
    }
    const failures = totals.failures ? `, ${totals.failures} failure(s)` : "";
    io.out(`Done. ${totals.written} file(s) written, ${totals.fresh} fresh, ${totals.rows} row(s)${failures}.`);
    return totals.failures ? 1 : 0;
  } finally {
    progress.clear();
    db.close();
  }
}

/**
 * `--background`: refreshes the day files queries read in place and queued (`background_refresh.ts`), until the
 * queue is empty, writing what it does to the log instead of a terminal. Exits at once when another one runs (that one
 * takes what is queued). After letting the lock go it looks at the queue once more: a query that queued files while the
 * lock was held started no refresh of its own.
 */
async function refreshQueued(seen: Inspection): Promise<number> {
  const cacheDir = seen.ctx.cacheDir;
  await mkdir(backgroundDir(cacheDir), { recursive: true, mode: 0o700 });
  let log: number | undefined;
  const write = (line: string) => {
    log ??= openSync(backgroundLog(cacheDir), "w", 0o600);
    writeSync(log, `${line}\n`);
  };
  const io: Io = { out: write, err: write, isTTY: false, color: false };
  let code = 0;
  try {
    while (await queued(cacheDir)) {
      let lock;
      try {
        lock = await acquireFileLock(backgroundLock(cacheDir), { timeoutMs: 0 });
      } catch (err) {
        if (err instanceof FileLockTimeoutError) break;
        throw err;
      }
      try {
        let files = await takeQueue(cacheDir);
        // Nothing queued after all (another one took it): the last run's log stays as it was.
        if (files.length === 0) continue;
        io.out(`background refresh started ${new Date().toISOString()} (pid ${process.pid})`);
        for (; files.length; files = await takeQueue(cacheDir)) {
          const targets = await targetsOf(seen, {}, files);
          code = Math.max(code, await refreshTargets(seen, targets, io, new Progress("refreshing", false)));
        }
        io.out(`background refresh ended ${new Date().toISOString()}`);
      } catch (err) {
        io.err(`error: ${(err as Error).message}`);
        throw err;
      } finally {
        await lock.release();
      }
    }
    return code;
  } finally {
    if (log !== undefined) closeSync(log);
  }
}
