/**
 * `ctvs query doctor`: checks that querying can work (config, recording root, cache, partitions, freshness).
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { DATASETS } from "../../query/datasets.ts";
import type { Io } from "../io.ts";
import { backgroundRefreshCheck } from "./background_refresh.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { ARCHIVE_QUERIES, inspect, statusesOf } from "./inspect.ts";
import { renderRows } from "./rows.ts";

/** Help for `ctvs query doctor`. */
export const DOCTOR_USAGE = `Usage: ctvs query doctor [options]

Checks config, recording_root, query_cache, source_partitions, cache_freshness and background_refresh (the one a query
starts after reading a day in place); one row each with ok or warn.
Refreshes nothing; exits 0 even with warnings (a config that cannot load exits 1).

${QUERY_FLAGS_HELP}`;

/** Runs `ctvs query doctor`. */
export async function queryDoctor(argv: string[], io: Io): Promise<number> {
  const seen = await inspect(argv, DOCTOR_USAGE, {
    command: "ctvs query doctor",
    notArchived: `it checks the local recordings and cache; ${ARCHIVE_QUERIES}`,
    takes: ["cache-dir", "date", "gateway-id", "format"],
  });
  const { ctx } = seen;
  const rootOk = await stat(ctx.root).then((s) => s.isDirectory(), () => false);
  const statuses = await statusesOf(seen, DATASETS);
  const outdated = statuses.filter((s) => s.freshness.state !== "fresh").length;
  const rows = [
    ["config", "ok", ctx.configLabel],
    ["recording_root", rootOk ? "ok" : "warn", rootOk ? ctx.root : `${ctx.root} does not exist yet`],
    ["query_cache", ctx.cacheEnabled ? "ok" : "warn", ctx.cacheEnabled ? ctx.cacheDir : "disabled"],
    ["source_partitions", "ok", String(statuses.length)],
    [
      "cache_freshness",
      outdated ? "warn" : "ok",
      outdated ? `${outdated} missing/stale partition(s); run: ${ctx.refreshCommand}` : "0 missing/stale partition(s)",
    ],
    ["background_refresh", ...await backgroundRefreshCheck(ctx.cacheDir)],
  ];
  await renderRows(
    [["check", "VARCHAR"], ["status", "VARCHAR"], ["detail", "VARCHAR"]],
    rows,
    seen.options.format,
    io,
  );
  return 0;
}
