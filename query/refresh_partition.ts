/**
 * Refreshes one built-in partition (`<dataset>/<gw>/<date>`) from its JSONL day file.
 *
 * @module
 */
import { literal, schemaFingerprint } from "./dataset.ts";
import type { Db } from "./duckdb.ts";
import { jsonlSelect } from "./jsonl_select.ts";
import type { Partition } from "./partitions.ts";
import { type RefreshOptions, type RefreshOutcome, refreshSource, type SourceSpec } from "./refresh_source.ts";

/** The refresh spec of a built-in partition. */
export function partitionSpec(p: Partition): SourceSpec {
  return {
    dir: p.dir,
    sourcePath: p.sourcePath,
    sourceId: `${p.dataset.name}/${p.gatewayId}/${p.date}`,
    kind: "builtin",
    fingerprint: schemaFingerprint(p.dataset),
    meta: { dataset: p.dataset.name, gateway_id: p.gatewayId, date: p.date },
    convert: async (db, input, output) => {
      const select = jsonlSelect(p.dataset, input, { gatewayId: p.gatewayId, date: p.date });
      const rows = await db.all(`COPY (${select}) TO ${literal(output)} (FORMAT parquet, COMPRESSION zstd)`);
      return Number(rows[0]?.Count ?? 0);
    },
  };
}

/** Brings one built-in partition up to date; see `refreshSource`. */
export function refreshPartition(db: Db, p: Partition, options: RefreshOptions = {}): Promise<RefreshOutcome> {
  return refreshSource(db, partitionSpec(p), options);
}
