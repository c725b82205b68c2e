/**
 * `ctvs query refresh [--all] [dataset] [--force]`: brings the cache up to date with the recordings and says what it
 * did, one line per partition, then a `Done.` line (reference §2.3 refresh output). Exit 1 if any partition failed.
 *
 * @module
 */
import { datasetNamed, DATASETS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { refreshAll } from "../../query/refresh_all.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QueryError, refreshReporter } from "./context.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { inspect, statusesOf } from "./inspect.ts";

/** Help for `ctvs query refresh`. */
export const REFRESH_USAGE = `Usage: ctvs query refresh [--all] [logs|traces|metrics] [--force] [options]

Reads what is new in the JSONL recordings into the query cache: every dataset (--all, the default) or the one named,
limited by --gateway-id and --date. Prints "fresh <partition>" or "wrote <partition>/<part> (<n> rows)" per
partition, then "Done. X file(s) written, Y fresh, Z row(s)". --force rebuilds each partition from its first line.

  --all                     every dataset (the default when none is named)
  --force                   re-read every partition in full (a new epoch)
${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query refresh`. */
export async function queryRefresh(argv: string[], io: Io): Promise<number> {
  const seen = await inspect(argv, REFRESH_USAGE, 1, { all: { type: "boolean" }, force: { type: "boolean" } });
  const name = seen.positionals[0];
  const dataset = name === undefined ? undefined : datasetNamed(name);
  if (name !== undefined && !dataset) {
    throw new UsageError(
      `unknown dataset "${name}"; available datasets: ${DATASETS.map((d) => d.name).join(", ")}`,
      REFRESH_USAGE,
    );
  }
  if (!seen.ctx.cacheEnabled) {
    throw new QueryError("query cache is disabled; pass --cache-dir or set query.cache.enabled: true");
  }
  const statuses = await statusesOf(seen, dataset ? [dataset] : DATASETS);
  if (statuses.length === 0) {
    io.out(`No JSONL files matched in ${seen.ctx.root}.`);
    return 0;
  }
  const db = await openDb();
  try {
    const summary = await refreshAll(db, statuses, {
      force: seen.values.force === true,
      onEvent: refreshReporter(io, true),
    });
    const failures = summary.failures ? `, ${summary.failures} failure(s)` : "";
    io.out(`Done. ${summary.written} file(s) written, ${summary.fresh} fresh, ${summary.rows} row(s)${failures}.`);
    return summary.failures ? 1 : 0;
  } finally {
    db.close();
  }
}
