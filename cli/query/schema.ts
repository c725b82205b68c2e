/**
 * `ctvs query schema [dataset]`: the columns of one dataset, or of all. Needs no config: built-in schemas are fixed.
 *
 * @module
 */
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS, QUERY_FLAGS_HELP, queryOptionsFrom } from "./flags.ts";
import { renderRows, type RowCell, type RowColumn } from "./rows.ts";

/** Help for `ctvs query schema`. */
export const SCHEMA_USAGE = `Usage: ctvs query schema [logs|traces|metrics] [options]

Columns as name, type, nullable, source_field (the JSONL field it comes from); all datasets (with a dataset column)
when none is named. Reads no config or cache.

${QUERY_FLAGS_HELP}`;

// Only the partition columns are always set; every recorded field may be absent from a row.
const REQUIRED = new Set(["gateway_id", "date"]);

/** Runs `ctvs query schema`. */
export async function querySchema(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, QUERY_FLAGS, SCHEMA_USAGE, { maxPositionals: 1 });
  const options = queryOptionsFrom(values, SCHEMA_USAGE);
  const name = positionals[0];
  const dataset = name === undefined ? undefined : datasetNamed(name);
  if (name !== undefined && !dataset) {
    throw new UsageError(
      `unknown dataset "${name}"; available datasets: ${DATASETS.map((d) => d.name).join(", ")}`,
      SCHEMA_USAGE,
    );
  }
  const rows: RowCell[][] = [];
  for (const d of dataset ? [dataset] : DATASETS) {
    for (const c of d.columns) {
      const row: RowCell[] = [c.name, c.type, !REQUIRED.has(c.name), c.sourceField ?? null];
      rows.push(dataset ? row : [d.name, ...row]);
    }
  }
  const columns: RowColumn[] = [
    ["name", "VARCHAR"],
    ["type", "VARCHAR"],
    ["nullable", "BOOLEAN"],
    ["source_field", "VARCHAR"],
  ];
  await renderRows(
    dataset ? columns : [["dataset", "VARCHAR"], ...columns],
    rows,
    options.format,
    io,
    options.limit,
  );
  return 0;
}
