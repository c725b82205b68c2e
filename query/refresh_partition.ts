/**
 * Refreshes one built-in partition (`<dataset>/<gw>/<date>`) from its JSONL day file. A plain dataset converts only
 * the new lines (byte cursor); a derived one (`proxy_messages`, `llm_requests`) walks the whole day again whenever
 * the file grew, into a new epoch, because an exchange's rows depend on lines before and after it.
 *
 * @module
 */
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { readCursor } from "./cursor.ts";
import { copyToParquet } from "./copy_to_parquet.ts";
import { derivedSelect } from "./derived_select.ts";
import { type Dataset, ident, schemaFingerprint } from "./dataset.ts";
import type { Db } from "./duckdb.ts";
import { freshnessOf } from "./freshness.ts";
import { jsonlSelect, objectSizeFor } from "./jsonl_select.ts";
import { listPartitions, type Partition } from "./partitions.ts";
import { type RefreshOptions, type RefreshOutcome, refreshSource, type SourceSpec } from "./refresh_source.ts";

/** The refresh spec of a built-in partition. */
export function partitionSpec(p: Partition): SourceSpec {
  const derive = p.dataset.derive;
  return {
    dir: p.dir,
    sourcePath: p.sourcePath,
    sourceId: `${p.dataset.name}/${p.gatewayId}/${p.date}`,
    kind: "builtin",
    fingerprint: schemaFingerprint(p.dataset),
    meta: { dataset: p.dataset.name, gateway_id: p.gatewayId, date: p.date },
    derived: derive !== undefined,
    convert: async (db, input, output, { longestLine, end }) => {
      const partition = { gatewayId: p.gatewayId, date: p.date };
      if (!derive) {
        return await copyToParquet(db, jsonlSelect(p.dataset, input, partition, objectSizeFor(longestLine)), output);
      }
      // The derivation's JSONL files, removed with their directory whatever happens.
      const work = `${output}.derived`;
      try {
        await mkdir(work, { mode: 0o700 });
        const out = await derive.run(db, input, path.join(work, "rows.jsonl"), { ...partition, dir: p.dir, end });
        // An empty day still gets a (0-row) part, typed, so the cursor and the views stay uniform.
        const select = out.rows > 0
          ? derivedSelect(p.dataset, partition, out)
          : `SELECT ${
            p.dataset.columns.map((c) => `CAST(NULL AS ${c.type}) AS ${ident(c.name)}`).join(", ")
          } WHERE FALSE`;
        // Derived rows join back the system prompt and tools: files of bounded weight (a chunk never spans two),
        // small row groups, one thread (as fast here: the walk is the bottleneck) and read buffers sized to the
        // longest row keep DuckDB's memory to about 100 MB whatever the day's size.
        return await copyToParquet(db, select, output, { rowGroupRows: 1024, threads: 1 });
      } finally {
        await rm(work, { recursive: true, force: true });
      }
    },
  };
}

/** Brings one built-in partition up to date; see `refreshSource`. */
export async function refreshPartition(db: Db, p: Partition, options: RefreshOptions = {}): Promise<RefreshOutcome> {
  const spec = partitionSpec(p);
  if (p.dataset.derive && !options.force) {
    const cursor = await readCursor(path.join(p.dir, "cursor.json"));
    const freshness = await freshnessOf(cursor, p.sourcePath, p.dir, spec.fingerprint);
    if (freshness.state !== "fresh") options = { ...options, force: true };
  }
  return refreshSource(db, spec, options);
}

/**
 * Refreshes `gatewayId`'s partitions of `dataset` dated before `date`, oldest first (each a no-op when its cache is
 * fresh): what a derived day reads of the days before it (the message ids a conversation already showed, the requests
 * already counted) is then in the cache.
 */
export async function refreshEarlierDays(
  db: Db,
  where: { root: string; cacheDir: string },
  dataset: Dataset,
  day: { gatewayId: string; date: string },
): Promise<void> {
  for (const p of await listPartitions(where.root, where.cacheDir, dataset)) {
    if (p.gatewayId === day.gatewayId && p.date < day.date) await refreshPartition(db, p);
  }
}
