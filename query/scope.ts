/**
 * The shared query scope (`--gateway-id`, `--date`, `--from`/`--to`/`--since`, `--service`) as a SQL condition on a
 * dataset's rows. Rows without any timestamp pass the time filter, as in the reference.
 *
 * @module
 */
import { ident, literal } from "./dataset.ts";

/** The filters every query command shares. */
export interface Scope {
  gatewayIds?: string[];
  /** `YYYY-MM-DD` partition dates. */
  dates?: string[];
  /** ISO instants. */
  from?: string;
  to?: string;
  service?: string;
}

/** The columns a table offers to the scope. */
export interface ScopeColumns {
  timestamps: string[];
  services: string[];
  /** Whether the table has `gateway_id` and `date` partition columns. */
  partitioned: boolean;
}

/**
 * A WHERE condition (`TRUE` when nothing filters).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const sql = scopeCondition({ service: "api" }, { timestamps: [], services: ["serviceName"], partitioned: true });
 * assert.equal(sql, `("serviceName" = 'api')`);
 * ```
 */
export function scopeCondition(scope: Scope, columns: ScopeColumns): string {
  const parts: string[] = [];
  if (columns.partitioned && scope.gatewayIds?.length) {
    parts.push(`"gateway_id" IN (${scope.gatewayIds.map(literal).join(", ")})`);
  }
  if (columns.partitioned && scope.dates?.length) {
    parts.push(`"date" IN (${scope.dates.map((d) => `DATE ${literal(d)}`).join(", ")})`);
  }
  if (scope.service !== undefined) {
    const checks = columns.services.map((c) => `${ident(c)} = ${literal(scope.service!)}`);
    parts.push(checks.length ? checks.join(" OR ") : "FALSE");
  }
  if ((scope.from || scope.to) && columns.timestamps.length) {
    const ts = columns.timestamps.length === 1
      ? ident(columns.timestamps[0])
      : `coalesce(${columns.timestamps.map(ident).join(", ")})`;
    const bounds = [
      scope.from ? `${ts} >= timezone('UTC', ${literal(scope.from)}::TIMESTAMPTZ)` : "",
      scope.to ? `${ts} <= timezone('UTC', ${literal(scope.to)}::TIMESTAMPTZ)` : "",
    ].filter(Boolean).join(" AND ");
    parts.push(`${ts} IS NULL OR (${bounds})`);
  }
  return parts.length ? parts.map((p) => `(${p})`).join(" AND ") : "TRUE";
}
