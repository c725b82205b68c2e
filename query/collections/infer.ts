/**
 * Column inference for collections (reference §7.4): one column per top-level field, its type inferred from every
 * value read: no non-null value → JSON; a timestamp-named field whose values are all ISO dates → TIMESTAMP; all
 * booleans → BOOLEAN; all finite numbers → DOUBLE; all strings → VARCHAR; anything else → JSON. Inference runs per
 * chunk of new lines and merges with what earlier chunks found, so a refresh can tell whether the schema drifted.
 *
 * @module
 */
import type { ColumnType } from "../dataset.ts";
import { normalizeName, uniqueName } from "./names.ts";

/** What the values of a field have been so far. */
export type Kind = "null" | "timestamp" | "boolean" | "number" | "string" | "json";

/** One inferred column of a collection source. */
export interface CollectionColumn {
  name: string;
  source_field: string;
  type: ColumnType;
  nullable: boolean;
  kind: Kind;
}

/** The columns every collection row has, before the inferred ones. */
export const FIXED_COLUMNS: { name: string; type: ColumnType }[] = [
  { name: "_ctvs_source_path", type: "VARCHAR" },
  { name: "_ctvs_line_number", type: "INTEGER" },
  { name: "_ctvs_raw", type: "JSON" },
];

/** Field names treated as timestamps when their values parse as dates. */
export const TIMESTAMP_CANDIDATES = new Set([
  "timestamp",
  "time",
  "ts",
  "date",
  "datetime",
  "created_at",
  "createdat",
  "created",
  "created_time",
  "createdtime",
  "observed_timestamp",
  "observedtimestamp",
]);

// ISO-8601 dates and date-times only: what DuckDB's TIMESTAMPTZ cast reads the same way Date.parse does.
const ISO = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}(:?\d{2})?)?)?$/;

/** The column type of each kind of value. */
export const TYPE_OF: Readonly<Record<Kind, ColumnType>> = {
  null: "JSON",
  timestamp: "TIMESTAMP",
  boolean: "BOOLEAN",
  number: "DOUBLE",
  string: "VARCHAR",
  json: "JSON",
};

function kindOf(value: unknown, timestampField: boolean): Kind {
  if (value === null) return "null";
  if (typeof value === "boolean") return "boolean";
  if (typeof value === "number") return Number.isFinite(value) ? "number" : "json";
  if (typeof value === "string") {
    return timestampField && ISO.test(value) && !Number.isNaN(Date.parse(value)) ? "timestamp" : "string";
  }
  return "json";
}

/** The kind of values of two kinds together. */
export function mergeKind(a: Kind, b: Kind): Kind {
  if (a === "null") return b;
  if (b === "null" || a === b) return a;
  if ((a === "timestamp" && b === "string") || (a === "string" && b === "timestamp")) return "string";
  return "json";
}

/** Accumulates the kinds and presence of fields over rows. */
export class Inference {
  readonly #fields = new Map<string, { kind: Kind; present: number; nulls: boolean }>();
  #rows = 0;
  readonly #timestampColumn: string | undefined;

  constructor(timestampColumn?: string) {
    this.#timestampColumn = timestampColumn;
  }

  /** Adds one row (a parsed JSON object). */
  add(row: Record<string, unknown>): void {
    this.#rows++;
    for (const [field, value] of Object.entries(row)) {
      const ts = field === this.#timestampColumn || TIMESTAMP_CANDIDATES.has(field.toLowerCase());
      const kind = kindOf(value, ts);
      const seen = this.#fields.get(field);
      if (!seen) this.#fields.set(field, { kind, present: 1, nulls: kind === "null" });
      else {
        seen.kind = mergeKind(seen.kind, kind);
        seen.present++;
        seen.nulls ||= kind === "null";
      }
    }
  }

  /**
   * The columns after these rows, extending `base` (the columns of the `baseRows` rows read before). Fields keep
   * their names and order; new ones are appended in the order first seen.
   */
  columns(base: CollectionColumn[] = [], baseRows = 0): CollectionColumn[] {
    const taken = new Set([...FIXED_COLUMNS.map((c) => c.name), ...base.map((c) => c.name)]);
    const out = base.map((c) => {
      const seen = this.#fields.get(c.source_field);
      if (!seen) return { ...c, nullable: c.nullable || this.#rows > 0 };
      const kind = mergeKind(c.kind, seen.kind);
      const nullable = c.nullable || seen.nulls || seen.present < this.#rows;
      return { ...c, kind, type: TYPE_OF[kind], nullable };
    });
    const known = new Set(base.map((c) => c.source_field));
    for (const [field, seen] of this.#fields) {
      if (known.has(field)) continue;
      out.push({
        name: uniqueName(normalizeName(field, "field"), taken),
        source_field: field,
        kind: seen.kind,
        type: TYPE_OF[seen.kind],
        nullable: baseRows > 0 || seen.nulls || seen.present < this.#rows,
      });
    }
    return out;
  }
}

/**
 * Whether `after` needs the rows read under `before` re-read: a new field, or a changed column type.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const col = { name: "a", source_field: "a", type: "DOUBLE" as const, nullable: false, kind: "number" as const };
 * assert.equal(drifted([col], [{ ...col, nullable: true }]), false);
 * assert.equal(drifted([col], [{ ...col, type: "JSON", kind: "json" }]), true);
 * ```
 */
export function drifted(before: CollectionColumn[], after: CollectionColumn[]): boolean {
  return before.length !== after.length || after.some((c, i) => c.name !== before[i].name || c.type !== before[i].type);
}
