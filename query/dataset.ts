/**
 * What a built-in dataset is: the JSONL signal it reads, its typed columns, and how each column is computed from
 * the fields of a JSONL row. One definition drives the cache refresh, `schema`, `catalog` and Parquet export.
 *
 * @module
 */

/** A DuckDB column type a dataset may declare. */
export type ColumnType = "VARCHAR" | "INTEGER" | "BIGINT" | "DOUBLE" | "BOOLEAN" | "TIMESTAMP" | "DATE" | "JSON";

/** One column of a dataset. */
export interface Column {
  name: string;
  type: ColumnType;
  /** The SQL expression over the `read_json` fields that computes it (partition columns have none). */
  expr?: string;
  /** The JSON field it comes from, for `schema` (dotted for nested ones). */
  sourceField?: string;
}

/** How a dataset computed from a whole day file (not line by line) is made: `proxy_messages`, `llm_requests`. */
export interface Derivation {
  /** Bumped when the derivation changes, so cached partitions are rebuilt. */
  version: number;
  /**
   * Reads the complete lines of one day file (`input`, up to the offset `partition.end`: the file may be growing) and
   * writes the dataset's rows, without `gateway_id` and `date`, as JSONL to `output` (and files beside it: the caller
   * gives it a directory of its own); resolves with what it wrote.
   */
  run(
    db: import("./duckdb.ts").Db,
    input: string,
    output: string,
    partition: { gatewayId: string; date: string; dir: string; end?: number },
  ): Promise<DerivedRows>;
}

/** The field by which a derived row names its line of shared columns (see {@linkcode DerivedRows}). */
export const SHARED_ID = "shared_id";

/** What a {@linkcode Derivation} wrote. */
export interface DerivedRows {
  /** The JSONL files of the rows, `output` first. */
  files: string[];
  rows: number;
  /** The longest line's length in bytes (an upper bound). */
  maxLineBytes: number;
  /**
   * Columns most rows repeat, written once per distinct value set to `file`, one JSON object a line with those
   * columns and a {@linkcode SHARED_ID}; each row names its line by that id instead of carrying them.
   */
  shared?: { file: string; columns: readonly string[]; maxLineBytes: number };
}

/** A built-in dataset (`logs`, `traces`, `metrics`, and the derived `proxy_messages`, `llm_requests`). */
export interface Dataset {
  name: string;
  /** The signal directory under `<root>/<gateway_id>/`. */
  signal: string;
  /** The columns in output order; `gateway_id` first and `date` last. */
  columns: Column[];
  /** The `read_json` `columns` map: each top-level JSON field read and its read type. */
  fields: Record<string, "VARCHAR" | "JSON">;
  /** The main time column (ordering, `--from`/`--to`). */
  timestamp: string;
  /** Columns tried in turn for `--from`/`--to`. */
  fallbackTimestamps: string[];
  /** Set when rows come from walking the whole day (rebuilt whenever the day file grows). */
  derive?: Derivation;
  /**
   * A column naming each row: rows that share a value are one row written twice (a capture that repeated a write
   * after a crash, or two writers of the same source), and queries see it once.
   */
  uniqueKey?: string;
}

/** Quotes an identifier for DuckDB. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Quotes a string literal for DuckDB (`'` doubled). */
export function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

// Scalars are read as VARCHAR and cast with try_cast, so one odd value (a string severity, an int as a string)
// becomes NULL in that cell instead of failing the line.
function castExpr(field: string, type: ColumnType): string {
  const f = ident(field);
  switch (type) {
    case "VARCHAR":
    case "JSON":
      return f;
    case "TIMESTAMP":
      // Through TIMESTAMPTZ so an offset (`+02:00`) is honoured; stored as UTC wall time.
      return `timezone('UTC', try_cast(${f} AS TIMESTAMPTZ))`;
    default:
      return `try_cast(${f} AS ${type})`;
  }
}

/** Builds a dataset from `[name, type]` pairs; `scope_*` columns come from the `scope` object. */
export function defineDataset(
  base: Omit<Dataset, "columns" | "fields">,
  columns: [string, ColumnType, string?][],
): Dataset {
  const fields: Record<string, "VARCHAR" | "JSON"> = {};
  const out: Column[] = [{ name: "gateway_id", type: "VARCHAR" }];
  for (const [name, type, expr] of columns) {
    if (name.startsWith("scope_")) {
      fields.scope = "JSON";
      const key = name.slice("scope_".length);
      const path = literal(`$.${key}`);
      out.push({
        name,
        type,
        sourceField: `scope.${key}`,
        expr: type === "JSON" ? `json_extract("scope", ${path})` : `json_extract_string("scope", ${path})`,
      });
      continue;
    }
    if (!expr) fields[name] = type === "JSON" ? "JSON" : "VARCHAR";
    out.push({ name, type, sourceField: expr ? undefined : name, expr: expr ?? castExpr(name, type) });
  }
  out.push({ name: "date", type: "DATE" });
  return { ...base, columns: out, fields };
}

/** A short stable fingerprint of a dataset's columns; a change rebuilds the cache. */
export function schemaFingerprint(
  dataset: { columns: { name: string; type: string; expr?: string }[]; derive?: { version: number } },
): string {
  let h = 2166136261;
  const text = JSON.stringify(dataset.columns) + (dataset.derive ? `#derive${dataset.derive.version}` : "");
  for (const c of text) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h.toString(16).padStart(8, "0");
}
