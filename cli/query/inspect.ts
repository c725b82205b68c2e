/**
 * What the cache-inspecting commands (doctor, status, catalog, refresh) and the live tails share: flags parsed without
 * running a query, and the partition statuses of every dataset as they are (nothing refreshed).
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { unlessMissing } from "../../platform/fs_error.ts";
import type { Dataset } from "../../query/dataset.ts";
import { type PartitionStatus, partitionStatuses } from "../../query/partition_status.ts";
import { type FlagSpec, type ParsedFlags, parseFlags } from "../parse_flags.ts";
import { loadContext, type QueryContext } from "./context.ts";
import { UsageError } from "../usage_error.ts";
import { CONFIG_FLAGS } from "../config_flags.ts";
import { QUERY_FLAGS, type QueryOptions, queryOptionsFrom } from "./flags.ts";

/** Parsed flags, options and context of a command that reads the cache's state. */
export interface Inspection {
  values: ParsedFlags["values"];
  positionals: string[];
  options: QueryOptions;
  ctx: QueryContext;
}

/** The end of the `--archive` usage error of a command about the local cache: where the archive is read instead. */
export const ARCHIVE_QUERIES = "the archive is read by the query commands (sql, logs, traces, metrics, proxy, ...) " +
  "with --archive";

/** What a command that inspects the cache or the live JSONL says about itself. */
export interface InspectSpec {
  /** As typed: `ctvs query status`. */
  command: string;
  /** Why `--archive` does not apply to it (the rest of a usage error that names the command). */
  notArchived: string;
  /** Positionals it takes (default none). */
  maxPositionals?: number;
  /** Flags of its own, beside the shared ones. */
  flags?: Record<string, FlagSpec>;
  /**
   * The shared query flags it uses (the config flags and its own always apply). Any other shared flag given is a
   * usage error that names it, rather than an option silently without effect.
   */
  takes: readonly QueryFlag[];
}

/** A shared query flag, by name. */
export type QueryFlag = keyof typeof QUERY_FLAGS;

/** `--a`, `--b and --c`: the flags of a message. */
function flagList(names: readonly string[]): string {
  const flags = names.map((n) => `--${n}`);
  return flags.length < 2 ? flags.join("") : `${flags.slice(0, -1).join(", ")} and ${flags.at(-1)}`;
}

/**
 * Parses the shared flags (plus the command's own) and loads the context. These commands read the local cache or
 * today's JSONL, never the archive: `--archive` is a usage error that says why.
 */
export async function inspect(argv: string[], usage: string, spec: InspectSpec): Promise<Inspection> {
  const { values, positionals } = parseFlags(argv, { ...QUERY_FLAGS, ...spec.flags }, usage, {
    maxPositionals: spec.maxPositionals ?? 0,
  });
  const options = queryOptionsFrom(values, usage);
  if (options.archive) {
    throw new UsageError(`${spec.command} does not take --archive: ${spec.notArchived}`, usage);
  }
  for (const name of Object.keys(QUERY_FLAGS)) {
    if (name in CONFIG_FLAGS || spec.takes.includes(name) || values[name] === undefined) continue;
    throw new UsageError(
      `${spec.command} does not take --${name}: of the query options it uses only ${flagList(spec.takes)}`,
      usage,
    );
  }
  const ctx = await loadContext(values, options, usage);
  return { values, positionals, options, ctx };
}

/** The statuses of `datasets` within the `--gateway-id`/`--date` scope. */
export function statusesOf(
  { ctx, options }: Inspection,
  datasets: readonly Dataset[],
): Promise<PartitionStatus[]> {
  return partitionStatuses(ctx.root, ctx.cacheDir, datasets, {
    gatewayIds: options.scope.gatewayIds,
    dates: options.scope.dates,
  });
}

/** How many of `statuses` still have their JSONL source on disk. */
export async function countSources(statuses: PartitionStatus[]): Promise<number> {
  const present = await Promise.all(
    statuses.map(async (s) => {
      const file = s.partition.sourcePath;
      return (await unlessMissing(stat(file), "read", file))?.isFile() === true;
    }),
  );
  return present.filter(Boolean).length;
}

/** Cached rows of `statuses` (the cursors' row counts). */
export function cachedRows(statuses: PartitionStatus[]): number {
  return statuses.reduce((n, s) => n + (s.cursor?.row_count ?? 0), 0);
}
