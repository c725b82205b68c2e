/**
 * `ctvs query sample <dataset|collection>`: a few whole rows of a dataset or a collection, to see what its columns
 * hold.
 *
 * @module
 */
import { loadCollections } from "../../query/collections/manifest.ts";
import { normalizeName } from "../../query/collections/names.ts";
import { ident } from "../../query/dataset.ts";
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { requirePositional, runQuery } from "./run_query.ts";

/** Rows `sample` shows without `--limit`. */
export const SAMPLE_ROWS = 10;

/** Help for `ctvs query sample`. */
export const SAMPLE_USAGE = `Usage: ctvs query sample <${DATASETS.map((d) => d.name).join("|")}|<collection>> [options]

Every column of the first ${SAMPLE_ROWS} rows (or --limit) of a dataset, or of a collection of ctvs collect (by its
table or its name).

${QUERY_FLAGS_HELP}`;

/** The table `sample` reads: a built-in dataset's name, or the collection table the argument names. */
function tableArg(positionals: string[]): string {
  const name = requirePositional(positionals, 0, "a dataset", SAMPLE_USAGE);
  return datasetNamed(name)?.name ?? normalizeName(name, "table");
}

/** Runs `ctvs query sample`. */
export function querySample(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: SAMPLE_USAGE,
    maxPositionals: 1,
    datasets: (positionals) => {
      const dataset = datasetNamed(tableArg(positionals));
      return dataset ? [dataset] : [];
    },
    collections: (positionals) => {
      const table = tableArg(positionals);
      return datasetNamed(table) ? () => false : (t) => t === table;
    },
    check: async (positionals, ctx, collections) => {
      const table = tableArg(positionals);
      if (datasetNamed(table) || collections.some((c) => c.name === table)) return;
      const available = [...DATASETS.map((d) => d.name), ...Object.keys(await loadCollections(ctx.root))];
      throw new UsageError(
        `unknown dataset "${positionals[0]}"; available datasets: ${available.join(", ")}`,
        SAMPLE_USAGE,
      );
    },
    sql: (positionals, _limit, options) =>
      `SELECT * FROM ${ident(tableArg(positionals))} LIMIT ${options.limit ?? SAMPLE_ROWS}`,
  });
}
