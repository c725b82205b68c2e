/**
 * `ctvs query status`: per dataset, how many source partitions there are and how fresh their cache is.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { unlessMissing } from "../../platform/fs_error.ts";
import { DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { collectionStates } from "./collections.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { ARCHIVE_QUERIES, cachedRows, countSources, inspect, statusesOf } from "./inspect.ts";
import { renderRows, type RowCell } from "./rows.ts";

/** Help for `ctvs query status`. */
export const STATUS_USAGE = `Usage: ctvs query status [options]

Per dataset and per collection: source files, partitions fresh / stale / missing in the cache, and cached rows. Refreshes nothing.

${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query status`. */
export async function queryStatus(argv: string[], io: Io): Promise<number> {
  const seen = await inspect(argv, STATUS_USAGE, {
    command: "ctvs query status",
    notArchived: `it counts the local cache's partitions; ${ARCHIVE_QUERIES}`,
    takes: ["cache-dir", "date", "gateway-id", "format", "limit"],
  });
  const rows: RowCell[][] = [];
  for (const dataset of DATASETS) {
    const statuses = await statusesOf(seen, [dataset]);
    const count = (state: string) => statuses.filter((s) => s.freshness.state === state).length;
    rows.push([
      dataset.name,
      await countSources(statuses),
      count("fresh"),
      count("stale"),
      count("missing"),
      cachedRows(statuses),
    ]);
  }
  for (const { collection, sources } of await collectionStates(seen.ctx)) {
    const count = (state: string) => sources.filter((s) => s.freshness.state === state).length;
    const onDisk = (await Promise.all(
      sources.map(async (s) => (await unlessMissing(stat(s.sourcePath), "read", s.sourcePath)) ? 1 : 0),
    )).reduce((a: number, b: number) => a + b, 0);
    const rows_ = sources.reduce((n, s) => n + (s.cursor?.row_count ?? 0), 0);
    rows.push([collection.table, onDisk, count("fresh"), count("stale"), count("missing"), rows_]);
  }
  await renderRows(
    [["dataset", "VARCHAR"], ["sources", "BIGINT"], ["fresh", "BIGINT"], ["stale", "BIGINT"], ["missing", "BIGINT"], [
      "rows",
      "BIGINT",
    ]],
    rows,
    seen.options.format,
    io,
    seen.options.limit,
  );
  return 0;
}
