/**
 * The trace reads of `ctvs ui`: traces that hold a span matching a search (service, name, span duration, status),
 * the spans of one trace for its waterfall (compact rows, capped), one span whole, and the logs of a trace.
 *
 * @module
 */
import { literal } from "../dataset.ts";
import { containsText, type Page, pageClause } from "./page.ts";

/** A span search (all optional). */
export interface TraceFilter {
  service?: string;
  /** Part of a span name. */
  name?: string;
  /** Span duration bounds in milliseconds. */
  minMs?: number;
  maxMs?: number;
  /** `error` (status code 2), `ok` (1) or `unset` (0 or none). */
  status?: "error" | "ok" | "unset";
}

/** The most spans a waterfall gets; a bigger trace shows its first spans and says so. */
export const MAX_TRACE_SPANS = 10_000;

const CODE = `JSON_VALUE(status, '$.code')`;

/** The span condition of a filter. */
function spanCondition(filter: TraceFilter): string {
  const where: string[] = [];
  if (filter.service) where.push(`"serviceName" = ${literal(filter.service)}`);
  if (filter.name) where.push(containsText('"name"', filter.name));
  if (filter.minMs !== undefined) where.push(`"durationMs" >= ${Number(filter.minMs)}`);
  if (filter.maxMs !== undefined) where.push(`"durationMs" <= ${Number(filter.maxMs)}`);
  if (filter.status === "error") where.push(`${CODE} = '2'`);
  if (filter.status === "ok") where.push(`${CODE} = '1'`);
  if (filter.status === "unset") where.push(`coalesce(${CODE}, '0') = '0'`);
  return where.length ? where.join(" AND ") : "TRUE";
}

/**
 * Traces holding at least one span that matches `filter`, the newest first: root span name, services, start, duration
 * (first start to last end), spans and failed spans.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(traceListSql({ status: "error" }, { limit: 20, offset: 0 }), /JSON_VALUE\(status, '\$.code'\) = '2'/);
 * ```
 */
export function traceListSql(filter: TraceFilter, page: Page): string {
  return `WITH matched AS (SELECT DISTINCT "traceId" FROM traces WHERE ${spanCondition(filter)})
SELECT "traceId",
  coalesce(arg_min("name", "startTimestamp") FILTER (WHERE coalesce("parentSpanId", '') = ''),
    arg_min("name", "startTimestamp")) AS root_name,
  coalesce(arg_min("serviceName", "startTimestamp") FILTER (WHERE coalesce("parentSpanId", '') = ''),
    arg_min("serviceName", "startTimestamp")) AS root_service,
  string_agg(DISTINCT "serviceName", ', ' ORDER BY "serviceName") AS services,
  min("startTimestamp") AS start,
  (max(epoch_us(coalesce("endTimestamp", "startTimestamp"))) - min(epoch_us("startTimestamp"))) / 1000.0 AS duration_ms,
  count(*) AS spans,
  count(*) FILTER (WHERE ${CODE} = '2') AS errors
FROM traces WHERE "traceId" IN (SELECT "traceId" FROM matched)
GROUP BY "traceId"
ORDER BY start DESC, "traceId"${pageClause(page)}`;
}

/**
 * The spans of one trace for a waterfall, by start: ids, parent, service, name, kind, start in microseconds since
 * the epoch, duration, status, event count. One more than {@link MAX_TRACE_SPANS} is asked for to tell a cut trace.
 */
export function traceSpansSql(traceId: string): string {
  return `SELECT "spanId", "parentSpanId", "serviceName", "name", "kind",
  epoch_us("startTimestamp") AS start_us, "durationMs", ${CODE} AS status_code,
  JSON_VALUE(status, '$.message') AS status_message,
  coalesce(json_array_length(events), 0) AS events
FROM traces WHERE "traceId" = ${literal(traceId)}
ORDER BY "startTimestamp", "spanId" LIMIT ${MAX_TRACE_SPANS + 1}`;
}

/** Every column of one span. */
export function spanSql(traceId: string, spanId: string): string {
  return `SELECT * FROM traces WHERE "traceId" = ${literal(traceId)} AND "spanId" = ${literal(spanId)} LIMIT 1`;
}

/** The services that sent spans (for the search form), at most 500. */
export const TRACE_SERVICES_SQL =
  `SELECT DISTINCT "serviceName" AS service FROM traces WHERE "serviceName" IS NOT NULL ORDER BY 1 LIMIT 500`;
