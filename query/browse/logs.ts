/**
 * The log reads of `ctvs ui`: a page of log records, the newest first, searched by text, service, severity and
 * trace. Bodies and attributes longer than {@link LOG_TEXT_CAP} are cut.
 *
 * @module
 */
import { literal } from "../dataset.ts";
import { containsText, type Page, pageClause } from "./page.ts";

/** A log search (all optional). */
export interface LogFilter {
  /** Text found in the body or the attributes. */
  q?: string;
  service?: string;
  /** The lowest severity number shown (OTLP: 9 INFO, 13 WARN, 17 ERROR). */
  minSeverity?: number;
  traceId?: string;
  /** Oldest first (a trace's logs) instead of the newest first. */
  ascending?: boolean;
}

/** Characters of a body or the attributes shipped per record. */
export const LOG_TEXT_CAP = 4000;

/**
 * One page of log records.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const sql = logListSql({ minSeverity: 17 }, { limit: 100, offset: 0 });
 * assert.match(sql, /"severityNumber" >= 17/);
 * assert.match(sql, /ORDER BY "timestamp" DESC/);
 * ```
 */
export function logListSql(filter: LogFilter, page: Page): string {
  const where: string[] = [];
  if (filter.q) {
    where.push(`(${containsText('"body"', filter.q)} OR ${containsText('"attributes"', filter.q)})`);
  }
  if (filter.service) where.push(`"serviceName" = ${literal(filter.service)}`);
  if (filter.minSeverity !== undefined) where.push(`"severityNumber" >= ${Number(filter.minSeverity)}`);
  if (filter.traceId) where.push(`"traceId" = ${literal(filter.traceId)}`);
  const text = (column: string) =>
    `CASE WHEN length(CAST(${column} AS VARCHAR)) > ${LOG_TEXT_CAP} ` +
    `THEN left(CAST(${column} AS VARCHAR), ${LOG_TEXT_CAP}) ELSE CAST(${column} AS VARCHAR) END`;
  const order = filter.ascending ? "ASC NULLS FIRST" : "DESC NULLS LAST";
  return `SELECT "timestamp", "severityNumber", "severityText", "serviceName",
  coalesce("eventName", json_extract_string("attributes", '$."event.name"')) AS "eventName",
  ${text('"body"')} AS body, ${text('"attributes"')} AS attributes, "traceId", "spanId", gateway_id, date
FROM logs ${where.length ? `WHERE ${where.join(" AND ")}` : ""}
ORDER BY "timestamp" ${order}${pageClause(page)}`;
}
