/**
 * `ctvs query proxy tail`: the last exchange rows straight from the live proxy JSONL files, not the cache. Only the
 * small fields are read (DuckDB skips the bodies' contents), so 40 MiB request lines cost little.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import { literal } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";
import { MAX_OBJECT_BYTES } from "../../query/jsonl_select.ts";
import { listPartitions } from "../../query/partitions.ts";
import { partitionMatches } from "../../query/partition_status.ts";
import { PROXY_MESSAGES } from "../../query/proxy_messages/dataset.ts";
import type { Io } from "../io.ts";
import { inspect } from "./inspect.ts";
import { rejectService } from "./proxy.ts";
import { render } from "./render.ts";
import { TAIL_ROWS } from "./tail.ts";

const FIELDS = "{'kind': 'VARCHAR', 'exchange_id': 'VARCHAR', 'ts_start': 'VARCHAR', 'duration_ms': 'VARCHAR', " +
  "'upstream': 'VARCHAR', 'response': 'STRUCT(status INTEGER)', 'request': 'STRUCT(path VARCHAR)', 'error': 'VARCHAR'}";

const EMPTY = "SELECT CAST(NULL AS VARCHAR) AS gateway_id, CAST(NULL AS DATE) AS date, " +
  "CAST(NULL AS TIMESTAMP) AS ts_start, CAST(NULL AS BIGINT) AS duration_ms, CAST(NULL AS VARCHAR) AS upstream, " +
  "CAST(NULL AS INTEGER) AS response_status, CAST(NULL AS VARCHAR) AS request_path, " +
  "CAST(NULL AS VARCHAR) AS exchange_id, CAST(NULL AS VARCHAR) AS error WHERE FALSE";

/** Runs `ctvs query proxy tail`; `usage` is the proxy help. */
export async function queryProxyTail(argv: string[], io: Io, usage: string): Promise<number> {
  const { ctx, options } = await inspect(argv, usage, {
    command: "ctvs query proxy tail",
    notArchived: "it reads today's live JSONL, and the archive holds only finished days",
    // --service is refused after this, with the proxy commands' own reason (proxy traffic has no serviceName).
    takes: ["date", "gateway-id", "since", "from", "to", "service", "limit", "format"],
  });
  rejectService("proxy tail", options, usage);
  const partitions = (await listPartitions(ctx.root, ctx.cacheDir, PROXY_MESSAGES)).filter((p) =>
    partitionMatches(p, { gatewayIds: options.scope.gatewayIds, dates: options.scope.dates })
  );
  const selects: string[] = [];
  for (const p of partitions) {
    if ((await stat(p.sourcePath).then((s) => s.size, () => 0)) === 0) continue;
    selects.push(
      `SELECT ${literal(p.gatewayId)} AS gateway_id, DATE ${literal(p.date)} AS date, ` +
        `timezone('UTC', try_cast(ts_start AS TIMESTAMPTZ)) AS ts_start, try_cast(duration_ms AS BIGINT) AS duration_ms, ` +
        `upstream, response.status AS response_status, request.path AS request_path, exchange_id, error ` +
        `FROM read_json(${literal(p.sourcePath)}, format = 'newline_delimited', ignore_errors = true, ` +
        `maximum_object_size = ${MAX_OBJECT_BYTES}, columns = ${FIELDS}) WHERE kind = 'exchange'`,
    );
  }
  const bounds = [
    options.scope.from ? `ts_start >= timezone('UTC', ${literal(options.scope.from)}::TIMESTAMPTZ)` : "",
    options.scope.to ? `ts_start <= timezone('UTC', ${literal(options.scope.to)}::TIMESTAMPTZ)` : "",
  ].filter(Boolean);
  const where = bounds.length ? `WHERE ${bounds.join(" AND ")}` : "";
  const n = options.limit ?? TAIL_ROWS;
  // The newest n, printed oldest first like tail(1).
  const sql = selects.length
    ? `SELECT * FROM (SELECT * FROM (${selects.join(" UNION ALL ")}) ${where} ` +
      `ORDER BY ts_start DESC NULLS LAST, exchange_id LIMIT ${n}) ORDER BY ts_start ASC NULLS FIRST, exchange_id`
    : EMPTY;
  const db = await openDb();
  try {
    await render(await db.connection.stream(sql), options.format, io, n);
  } finally {
    db.close();
  }
  return 0;
}
