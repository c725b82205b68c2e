/**
 * `ctvs query sql <select...>`: one read-only SELECT or WITH in DuckDB's dialect over the datasets.
 *
 * @module
 */
import { DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { runQuery } from "./run_query.ts";

export const SQL_USAGE = `Usage: ctvs query sql "<select ...>" [options]

Runs one read-only SELECT (or WITH ... SELECT) over logs, traces, metrics and the collections of ctvs collect.
Writes, ATTACH, INSTALL, SET and reading files outside the recordings are refused.

${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query sql`. */
export function querySql(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: SQL_USAGE,
    maxPositionals: Number.POSITIVE_INFINITY,
    // Refresh only the datasets the text names: a query of logs need not wait for traces.
    datasets: (words) => {
      const text = words.join(" ").toLowerCase();
      return DATASETS.filter((d) => new RegExp(`\\b${d.name}\\b`).test(text));
    },
    collections: (words) => {
      const text = words.join(" ").toLowerCase();
      return (table) => new RegExp(`\\b${table}\\b`).test(text);
    },
    sql: (words) => words.join(" "),
  });
}
