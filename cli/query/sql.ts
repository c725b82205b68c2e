/**
 * `ctvs query sql <select...>`: one read-only SELECT or WITH in DuckDB's dialect over the datasets.
 *
 * @module
 */
import type { Dataset } from "../../query/dataset.ts";
import { DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { runQuery } from "./run_query.ts";

export const SQL_USAGE = `Usage: ctvs query sql "<select ...>" [options]

Runs one read-only SELECT (or WITH ... SELECT) over logs, traces, metrics, the conversations and requests of the
proxy (proxy_messages, llm_requests), the imported transcripts (transcript_messages, transcript_requests), Gas City
(gascity_messages, gascity_events) and the collections of ctvs collect (ctvs query catalog lists them all).
Writes, ATTACH, INSTALL, SET and reading files outside the recordings are refused.

${QUERY_FLAGS_HELP}`;

/** The built-in datasets a SQL text names (refreshed before it runs: a query of logs need not wait for traces). */
export function sqlDatasets(text: string): Dataset[] {
  const lower = text.toLowerCase();
  return DATASETS.filter((d) => new RegExp(`\\b${d.name}\\b`).test(lower));
}

/** Whether a SQL text names collection `table`. */
export function sqlNames(text: string): (table: string) => boolean {
  const lower = text.toLowerCase();
  return (table) => new RegExp(`\\b${table}\\b`).test(lower);
}

/** Runs `ctvs query sql`. */
export function querySql(argv: string[], io: Io): Promise<number> {
  return runQuery(argv, io, {
    usage: SQL_USAGE,
    maxPositionals: Number.POSITIVE_INFINITY,
    datasets: (words) => sqlDatasets(words.join(" ")),
    collections: (words) => sqlNames(words.join(" ")),
    sql: (words) => words.join(" "),
  });
}
