/**
 * Finds the partitions of a built-in dataset: every `<root>/<gw>/<signal>/<YYYY-MM-DD>.jsonl` source, plus every
 * cached partition whose source is gone (a drained or deleted day stays queryable from the cache).
 *
 * @module
 */
import path from "node:path";
import { entries, listDayFiles } from "../storage/day_files.ts";
import { partitionDir } from "./cache_layout.ts";
import type { Dataset } from "./dataset.ts";

/** One (dataset, gateway, date) partition. */
export interface Partition {
  dataset: Dataset;
  gatewayId: string;
  date: string;
  /** `<root>/<gw>/<signal>/<date>.jsonl` (it may no longer exist). */
  sourcePath: string;
  /** The partition's cache directory. */
  dir: string;
}

/** The label of a partition in messages: `<dataset>/<gw>/<date>`. */
export function partitionLabel(p: Partition): string {
  return `${p.dataset.name}/${p.gatewayId}/${p.date}`;
}

/**
 * Lists the partitions of `dataset`, sorted by date then gateway.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOGS } from "./datasets.ts";
 * assert.deepEqual(await listPartitions("/nonexistent", "/nonexistent/cache", LOGS), []);
 * ```
 */
export async function listPartitions(root: string, cacheDir: string, dataset: Dataset): Promise<Partition[]> {
  const found = new Map<string, Partition>();
  const add = (gatewayId: string, date: string) => {
    found.set(`${date}\0${gatewayId}`, {
      dataset,
      gatewayId,
      date,
      sourcePath: path.join(root, gatewayId, dataset.signal, `${date}.jsonl`),
      dir: partitionDir(cacheDir, dataset.name, gatewayId, date),
    });
  };
  for (const { gatewayId, date } of await listDayFiles(root, dataset.signal)) add(gatewayId, date);
  const cached = path.join(cacheDir, "datasets", dataset.name);
  for (const gwDir of await entries(cached, "directory")) {
    if (!gwDir.startsWith("gateway_id=")) continue;
    for (const dateDir of await entries(path.join(cached, gwDir), "directory")) {
      const date = /^date=(\d{4}-\d{2}-\d{2})$/.exec(dateDir)?.[1];
      if (date) add(gwDir.slice("gateway_id=".length), date);
    }
  }
  return [...found.entries()].sort(([a], [b]) => a < b ? -1 : a > b ? 1 : 0).map(([, p]) => p);
}
