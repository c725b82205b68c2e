/**
 * `ctvs query schema [dataset]`: the columns of one dataset, or of all. Needs no config: built-in schemas are fixed.
 *
 * @module
 */
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { collectionColumns } from "../../query/collections/tables.ts";
import { type ParsedFlags, parseFlags } from "../parse_flags.ts";
import { collectionStates } from "./collections.ts";
import { loadContext } from "./context.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS, QUERY_FLAGS_HELP, type QueryOptions, queryOptionsFrom } from "./flags.ts";
import { renderRows, type RowCell, type RowColumn } from "./rows.ts";

/** Help for `ctvs query schema`. */
export const SCHEMA_USAGE = `Usage: ctvs query schema [<dataset>|<collection>] [options]

Columns as name, type, nullable, source_field (the JSONL field it comes from) of a dataset (logs, traces, metrics,
proxy_messages, llm_requests, transcript_messages, transcript_requests, gascity_messages, gascity_events) or a
collection; all datasets (with a dataset column) when none is named. Built-in datasets need no config or cache; a
collection's columns are read from its cache.

${QUERY_FLAGS_HELP}`;

// Only the partition columns are always set; every recorded field may be absent from a row.
const REQUIRED = new Set(["gateway_id", "date"]);

/** The schema rows of collection `name`, if the config loads and names one. */
async function collectionSchema(
  values: ParsedFlags["values"],
  options: QueryOptions,
  name: string,
): Promise<RowCell[][] | undefined> {
  const ctx = await loadContext(values, options, SCHEMA_USAGE).catch(() => undefined);
  if (!ctx) return undefined;
  const [state] = await collectionStates(ctx, (table) => table === name);
  if (!state) return undefined;
  return collectionColumns(state.sources).map((c) => [
    c.name,
    c.type,
    "nullable" in c ? c.nullable : false,
    "source_field" in c ? c.source_field : null,
  ]);
}

/** Runs `ctvs query schema`. */
export async function querySchema(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, QUERY_FLAGS, SCHEMA_USAGE, { maxPositionals: 1 });
  const options = queryOptionsFrom(values, SCHEMA_USAGE);
  const name = positionals[0];
  const dataset = name === undefined ? undefined : datasetNamed(name);
  if (name !== undefined && !dataset) {
    // Not a built-in: a collection's columns are in its cache, which the config locates.
    const collection = await collectionSchema(values, options, name);
    if (collection) {
      await renderRows(
        [["name", "VARCHAR"], ["type", "VARCHAR"], ["nullable", "BOOLEAN"], ["source_field", "VARCHAR"]],
        collection,
        options.format,
        io,
        options.limit,
      );
      return 0;
    }
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
