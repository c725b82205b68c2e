/**
 * The state of every partition of some datasets: its cursor and its freshness. The query commands read it to decide
 * what to refresh, what to warn about, and which Parquet parts to query.
 *
 * @module
 */
import path from "node:path";
import { type Cursor, readCursor } from "./cursor.ts";
import { type Dataset, schemaFingerprint } from "./dataset.ts";
import { type Freshness, freshnessOf } from "./freshness.ts";
import type { InPlaceRead } from "./in_place.ts";
import { listPartitions, type Partition } from "./partitions.ts";
import type { TableSource } from "./session.ts";

/** A partition, its cursor (if cached) and its freshness. */
export interface PartitionStatus {
  partition: Partition;
  cursor: Cursor | undefined;
  freshness: Freshness;
  /** Set when a query reads the lines its cache lacks from the JSONL (`query/in_place.ts`) instead of refreshing. */
  inPlace?: InPlaceRead;
}

/** Which partitions to look at: by gateway and by date (all when empty). */
export interface PartitionFilter {
  gatewayIds?: string[];
  dates?: string[];
}

/** Whether `p` passes `filter`. */
export function partitionMatches(p: Partition, filter: PartitionFilter): boolean {
  return (!filter.gatewayIds?.length || filter.gatewayIds.includes(p.gatewayId)) &&
    (!filter.dates?.length || filter.dates.includes(p.date));
}

/** Reads the cursor and freshness of one partition. */
export async function statusOf(partition: Partition): Promise<PartitionStatus> {
  const cursor = await readCursor(path.join(partition.dir, "cursor.json"));
  const freshness = await freshnessOf(
    cursor,
    partition.sourcePath,
    partition.dir,
    schemaFingerprint(partition.dataset),
  );
  return { partition, cursor, freshness };
}

/**
 * The status of every partition of `datasets` that passes `filter`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOGS } from "./datasets.ts";
 * assert.deepEqual(await partitionStatuses("/nonexistent", "/nonexistent/c", [LOGS]), []);
 * ```
 */
export async function partitionStatuses(
  root: string,
  cacheDir: string,
  datasets: readonly Dataset[],
  filter: PartitionFilter = {},
): Promise<PartitionStatus[]> {
  const out: PartitionStatus[] = [];
  for (const dataset of datasets) {
    const partitions = (await listPartitions(root, cacheDir, dataset)).filter((p) => partitionMatches(p, filter));
    out.push(...await Promise.all(partitions.map(statusOf)));
  }
  return out;
}

/**
 * The session table of a dataset: the committed parts of its partitions' cursors, and for a partition read in place,
 * the parts that still hold and the SELECT of its uncached lines.
 */
export function datasetTable(dataset: Dataset, statuses: PartitionStatus[]): TableSource {
  const own = statuses.filter((s) => s.partition.dataset === dataset);
  const files = own.flatMap((s) =>
    s.inPlace?.parts ?? (s.cursor?.parts ?? []).map((part) => path.join(s.partition.dir, part.file))
  );
  const selects = own.flatMap((s) => s.inPlace?.select ?? []);
  return {
    name: dataset.name,
    columns: dataset.columns,
    files,
    ...(selects.length ? { selects } : {}),
    scope: { timestamps: dataset.fallbackTimestamps, services: ["serviceName"], partitioned: true },
    ...(dataset.uniqueKey ? { uniqueKey: dataset.uniqueKey } : {}),
  };
}
