/**
 * `ctvs query sample <dataset>`: a few whole rows of a dataset, to see what its columns hold.
 *
 * @module
 */
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { requirePositional, runQuery } from "./run_query.ts";

/** Rows `sample` shows without `--limit`. */
export const SAMPLE_ROWS = 10;

/** Help for `ctvs query sample`. */
export const SAMPLE_USAGE = `Usage: ctvs query sample <logs|traces|metrics> [options]

Every column of the first ${SAMPLE_ROWS} rows (or --limit) of a dataset.

${QUERY_FLAGS_HELP}`;

function datasetArg(positionals: string[]) {
  const name = requirePositional(positionals, 0, "a dataset", SAMPLE_USAGE);
  const dataset = datasetNamed(name);
  if (!dataset) {
    throw new UsageError(
      `unknown dataset "${name}"; available datasets: ${DATASETS.map((d) => d.name).join(", ")}`,
      SAMPLE_USAGE,
    );
  }
  return dataset;
}

/** Runs `ctvs query sample`. */
export function querySample(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: SAMPLE_USAGE,
    maxPositionals: 1,
    datasets: (positionals) => [datasetArg(positionals)],
    sql: (positionals, _limit, options) =>
      `SELECT * FROM ${datasetArg(positionals).name} LIMIT ${options.limit ?? SAMPLE_ROWS}`,
  });
}
