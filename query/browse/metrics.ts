/**
 * The metric reads of `ctvs ui`: the metrics with their type, unit and number of series, and the points of one
 * metric grouped into series (service and attribute set), each thinned to at most {@link MAX_SERIES_POINTS} time
 * buckets (the mean of the points in a bucket) so a long series never ships whole.
 *
 * @module
 */
import { literal } from "../dataset.ts";
import { containsText, type Page, pageClause } from "./page.ts";

/** Points per series at most; more are averaged into this many time buckets. */
export const MAX_SERIES_POINTS = 1000;
/** Series per metric at most (those with the most points). */
export const MAX_SERIES = 20;

// A point's number: the double, else the int, else a histogram's or summary's mean.
const VALUE = `coalesce("value", CAST("valueInt" AS DOUBLE), CASE WHEN "count" > 0 THEN "sum" / "count" END)`;

/**
 * The metrics, by name: type, unit, description, services, points, series, first and last point.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(metricListSql("http", { limit: 100, offset: 0 }), /GROUP BY "metricName"/);
 * ```
 */
export function metricListSql(q: string | undefined, page: Page): string {
  return `SELECT "metricName", any_value("metricType") AS "metricType", any_value("unit") AS unit,
  any_value("description") AS description,
  string_agg(DISTINCT "serviceName", ', ' ORDER BY "serviceName") AS services,
  count(*) AS points, count(DISTINCT (coalesce("serviceName", ''), CAST("attributes" AS VARCHAR))) AS series,
  min("timestamp") AS first, max("timestamp") AS last
FROM metrics ${q ? `WHERE ${containsText('"metricName"', q)}` : ""}
GROUP BY "metricName" ORDER BY "metricName"${pageClause(page)}`;
}

/**
 * The points of metric `name` as rows of (service, attributes, t in ms since the epoch, value, points averaged),
 * ordered by series then time; the {@link MAX_SERIES} series with the most points.
 */
export function metricSeriesSql(name: string): string {
  return `WITH p AS (
  SELECT coalesce("serviceName", '') AS service, coalesce(CAST("attributes" AS VARCHAR), '{}') AS attrs,
    epoch_ms("timestamp") AS t, ${VALUE} AS v
  FROM metrics WHERE "metricName" = ${literal(name)} AND "timestamp" IS NOT NULL
),
s AS (
  SELECT service, attrs, count(*) AS n, min(t) AS t0, max(t) AS t1 FROM p GROUP BY service, attrs
  ORDER BY n DESC, service, attrs LIMIT ${MAX_SERIES}
),
b AS (
  SELECT p.service, p.attrs, v,
    CASE WHEN s.n <= ${MAX_SERIES_POINTS} OR s.t1 = s.t0 THEN p.t
      ELSE s.t0 + floor((p.t - s.t0) * ${MAX_SERIES_POINTS - 1}.0 / (s.t1 - s.t0)) * (s.t1 - s.t0) / ${
    MAX_SERIES_POINTS - 1
  }.0 END AS t
  FROM p JOIN s ON p.service = s.service AND p.attrs = s.attrs
)
SELECT service, attrs, CAST(t AS DOUBLE) AS t, avg(v) AS v, count(*) AS points FROM b
GROUP BY service, attrs, t ORDER BY service, attrs, t`;
}
