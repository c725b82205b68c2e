/**
 * `ctvs query logs tail`: the last log records straight from the live JSONL files, not the cache, so it shows what
 * the daemon wrote a moment ago without a refresh.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { LOGS } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { jsonlSelect } from "../../query/jsonl_select.ts";
import { listPartitions } from "../../query/partitions.ts";
import { partitionMatches } from "../../query/partition_status.ts";
import { scopeCondition } from "../../query/scope.ts";
import type { Io } from "../io.ts";
import { inspect } from "./inspect.ts";
import { render } from "./render.ts";

/** Rows `logs tail` shows without `--limit`. */
export const TAIL_ROWS = 20;

const NAMES = ["gateway_id", "date", "timestamp", "severityText", "serviceName", "body", "traceId", "spanId"];
const COLUMNS = NAMES.join(", ");

/** Runs `ctvs query logs tail`; `usage` is the logs help. */
export async function queryLogsTail(argv: string[], io: Io, usage: string): Promise<number> {
  const { ctx, options } = await inspect(argv, usage, {
    command: "ctvs query logs tail",
    notArchived: "it reads today's live JSONL, and the archive holds only finished days",
    takes: ["date", "gateway-id", "since", "from", "to", "service", "limit", "format"],
  });
  const partitions = (await listPartitions(ctx.root, ctx.cacheDir, LOGS)).filter((p) =>
    partitionMatches(p, { gatewayIds: options.scope.gatewayIds, dates: options.scope.dates })
  );
  const live = [];
  for (const p of partitions) {
    // A 0-byte file has nothing to show, and read_json cannot infer anything from it.
    if ((await stat(p.sourcePath).then((s) => s.size, () => 0)) > 0) live.push(p);
  }
  const selects = live.map((p) => jsonlSelect(LOGS, p.sourcePath, p));
  const where = scopeCondition(options.scope, {
    timestamps: LOGS.fallbackTimestamps,
    services: ["serviceName"],
    partitioned: true,
  });
  const n = options.limit ?? TAIL_ROWS;
  // The newest n, printed oldest first like tail(1).
  const sql = selects.length
    ? `SELECT * FROM (SELECT ${COLUMNS} FROM (${selects.join(" UNION ALL ")}) WHERE ${where} ` +
      `ORDER BY timestamp DESC NULLS LAST LIMIT ${n}) ORDER BY timestamp ASC NULLS FIRST`
    : `SELECT ${
      NAMES.map((n) => `CAST(NULL AS ${LOGS.columns.find((c) => c.name === n)!.type}) AS "${n}"`)
    } WHERE FALSE`;
  const db = await openDb();
  try {
    await render(await db.connection.stream(sql), options.format, io, n);
  } finally {
    db.close();
  }
  return 0;
}
