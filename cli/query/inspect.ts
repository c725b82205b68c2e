/**
 * What the cache-inspecting commands (doctor, status, catalog, refresh) share: flags parsed without running a query,
 * and the partition statuses of every dataset as they are (nothing refreshed).
 *
 * @module
 */
import { stat } from "node:fs/promises";
import type { Dataset } from "../../query/dataset.ts";
import { type PartitionStatus, partitionStatuses } from "../../query/partition_status.ts";
import { type FlagSpec, type ParsedFlags, parseFlags } from "../parse_flags.ts";
import { loadContext, type QueryContext } from "./context.ts";
import { QUERY_FLAGS, type QueryOptions, queryOptionsFrom } from "./flags.ts";

/** Parsed flags, options and context of a command that reads the cache's state. */
export interface Inspection {
  values: ParsedFlags["values"];
  positionals: string[];
  options: QueryOptions;
  ctx: QueryContext;
}

/** Parses the shared flags (plus `extra`) and loads the context. */
export async function inspect(
  argv: string[],
  usage: string,
  maxPositionals: number,
  extra: Record<string, FlagSpec> = {},
): Promise<Inspection> {
  const { values, positionals } = parseFlags(argv, { ...QUERY_FLAGS, ...extra }, usage, { maxPositionals });
  const options = queryOptionsFrom(values, usage);
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
    statuses.map((s) => stat(s.partition.sourcePath).then((st) => st.isFile(), () => false)),
  );
  return present.filter(Boolean).length;
}

/** Cached rows of `statuses` (the cursors' row counts). */
export function cachedRows(statuses: PartitionStatus[]): number {
  return statuses.reduce((n, s) => n + (s.cursor?.row_count ?? 0), 0);
}
