/**
 * `ctvs query catalog`: the tables SQL can name, with their source signal, column count, partitions and cached rows.
 *
 * @module
 */
import { DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { collectionColumns } from "../../query/collections/tables.ts";
import { collectionStates } from "./collections.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { ARCHIVE_QUERIES, cachedRows, inspect, statusesOf } from "./inspect.ts";
import { renderRows, type RowCell } from "./rows.ts";

/** Help for `ctvs query catalog`. */
export const CATALOG_USAGE = `Usage: ctvs query catalog [options]

The tables SQL can name (datasets, then collections with source_signal collection): dataset, source_signal, columns, source_partitions, cached_rows. Refreshes nothing.

${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query catalog`. */
export async function queryCatalog(argv: string[], io: Io): Promise<number> {
  const seen = await inspect(argv, CATALOG_USAGE, {
    command: "ctvs query catalog",
    notArchived: `it lists the local cache's tables and partitions; ${ARCHIVE_QUERIES}`,
    takes: ["cache-dir", "date", "gateway-id", "format", "limit"],
  });
  const rows: RowCell[][] = [];
  for (const dataset of DATASETS) {
    const statuses = await statusesOf(seen, [dataset]);
    rows.push([dataset.name, dataset.signal, dataset.columns.length, statuses.length, cachedRows(statuses)]);
  }
  for (const { collection, sources } of await collectionStates(seen.ctx)) {
    const cached = sources.reduce((n, s) => n + (s.cursor?.row_count ?? 0), 0);
    rows.push([collection.table, "collection", collectionColumns(sources).length, sources.length, cached]);
  }
  await renderRows(
    [
      ["dataset", "VARCHAR"],
      ["source_signal", "VARCHAR"],
      ["columns", "BIGINT"],
      ["source_partitions", "BIGINT"],
      ["cached_rows", "BIGINT"],
    ],
    rows,
    seen.options.format,
    io,
    seen.options.limit,
  );
  return 0;
}
