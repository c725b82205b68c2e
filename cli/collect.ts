/**
 * `ctvs collect`: registers any JSONL file, or every file a glob matches, as a table `ctvs query sql` can read
 * (reference §2.4, §7.4); `collect list` and `collect remove` manage them.
 *
 * @module
 */
import { rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { type Collection, loadCollections, saveCollections } from "../query/collections/manifest.ts";
import { normalizeName } from "../query/collections/names.ts";
import { refreshCollection } from "../query/collections/tables.ts";
import { datasetNamed } from "../query/datasets.ts";
import { openDb } from "../query/duckdb.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { loadContext, QueryError } from "./query/context.ts";
import { queryOptionsFrom } from "./query/flags.ts";
import { renderRows, type RowCell } from "./query/rows.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs collect <file.jsonl> --name <name> [--replace] [--timestamp-column <field>]
       ctvs collect --glob '<pattern>' --name <name> [--replace] [--timestamp-column <field>]
       ctvs collect list [--format table|json|jsonl|markdown|csv]
       ctvs collect remove <name-or-table>

Registers a JSONL file (or every file the glob matches: ** as a whole path segment any number of folders, * and ?
within a name, [abc] and {a,b} as in a shell) as a collection table, reads it into the query cache, and prints how to
query it. Columns: _ctvs_source_path, _ctvs_line_number, _ctvs_raw,
then one per top-level field with its type inferred (TIMESTAMP, BOOLEAN, DOUBLE, VARCHAR or JSON). Files a glob no
longer matches, and deleted files, stay queryable from the cache.

  --name <name>             the collection name; its table name is the name normalized (lowercase, _)
  --glob <pattern>          a glob instead of one file (quote it)
  --replace                 replace an existing collection of that name
  --timestamp-column <f>    the field --from/--to/--since filter on (default: timestamp, time, ts, ...)
  --config <path|url>       the config naming the recording root (default ~/.hyp/collectivus.json)
  --cache-dir <dir>         the query cache (default <sink.dir>/.collectivus-query/cache)
  --format <f>              list output: table (default), json, jsonl, markdown, csv`;

const FLAGS = {
  ...CONFIG_FLAGS,
  "help": { type: "boolean", short: "h" },
  "name": { type: "string", requires: "--name is required" },
  "glob": { type: "string", requires: "--glob requires a pattern" },
  "replace": { type: "boolean" },
  "timestamp-column": { type: "string", requires: "--timestamp-column requires a field name" },
  "cache-dir": { type: "string", requires: "--cache-dir requires a directory" },
  "format": { type: "string", requires: "--format requires table, json, jsonl, markdown, or csv" },
} as const;

/** Runs `ctvs collect`. */
export async function runCollect(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, USAGE, { maxPositionals: Infinity });
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  const options = queryOptionsFrom(values, USAGE);
  const [first, second, ...rest] = positionals;
  const extra = first === "list" ? second : first === "remove" ? rest[0] : values.glob ? first : second;
  if (extra !== undefined) throw new UsageError(`unexpected argument: ${extra}`, USAGE);
  if (first === "remove" && second === undefined) {
    throw new UsageError("remove requires a collection name or table", USAGE);
  }
  if (first !== "list" && first !== "remove") {
    if (!values.glob && first === undefined) throw new UsageError("JSONL file path is required", USAGE);
    if (values.name === undefined) throw new UsageError("--name is required", USAGE);
  }
  const ctx = await loadContext(values, options, USAGE);
  const collections = await loadCollections(ctx.root);
  if (first === "list") {
    const rows: RowCell[][] = Object.values(collections).map((c) => [
      c.name,
      c.table,
      c.source_path ?? c.source_glob ?? null,
      c.timestamp_column ?? null,
    ]);
    await renderRows(
      [["name", "VARCHAR"], ["table", "VARCHAR"], ["source_path", "VARCHAR"], ["timestamp_column", "VARCHAR"]],
      rows,
      options.format,
      io,
    );
    return 0;
  }
  if (first === "remove") {
    const found = Object.values(collections).find((c) => c.table === second || c.name === second) ??
      collections[normalizeName(second, "table")];
    if (!found) throw new QueryError(`collection not found: ${second}`);
    delete collections[found.table];
    await saveCollections(ctx.root, collections);
    await rm(path.join(ctx.cacheDir, "collections", found.table), { recursive: true, force: true });
    io.out(`Removed collection ${found.table} (${found.name})`);
    return 0;
  }
  const name = values.name as string;
  const table = normalizeName(name, "table");
  if (datasetNamed(table) || table === "proxy_messages") {
    throw new QueryError(`collection table "${table}" conflicts with a built-in query dataset`);
  }
  const existing = collections[table];
  if (existing && !values.replace) {
    throw new QueryError(`collection "${table}" already exists; pass --replace to update it`);
  }
  const source = path.resolve(process.cwd(), (values.glob as string | undefined) ?? first);
  if (!values.glob && !await stat(source).then((s) => s.isFile(), () => false)) {
    throw new QueryError(`JSONL file not found: ${source}`);
  }
  const now = new Date().toISOString();
  const collection: Collection = {
    name,
    table,
    ...(values.glob ? { source_glob: source } : { source_path: source }),
    ...(values["timestamp-column"] ? { timestamp_column: values["timestamp-column"] as string } : {}),
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  // A replaced collection may read other files: its old cache would keep their rows.
  if (existing) await rm(path.join(ctx.cacheDir, "collections", table), { recursive: true, force: true });
  collections[table] = collection;
  await saveCollections(ctx.root, collections);
  io.out(`Registered ${name} as table ${table}`);
  if (values.glob && source.split(/[\\/]/).some((segment) => segment.includes("**") && segment !== "**")) {
    io.err("note: ** matches any number of folders only as a whole path segment, as in /data/**/*.jsonl");
  }
  if (table !== name) io.out(`SQL table name: ${table}`);
  const db = await openDb();
  try {
    const totals = await refreshCollection(db, ctx.cacheDir, collection, {
      onEvent: (e) => {
        if (e.kind === "wrote") io.out(`wrote ${e.table} from ${e.sourcePath} (${e.rows} rows)`);
        else if (e.kind === "fresh") io.out(`fresh ${e.table} from ${e.sourcePath}`);
        else if (e.kind === "failed") io.err(`error: refresh failed for ${e.table} from ${e.sourcePath}: ${e.error}`);
        else io.err(`[collectivus] skipping malformed JSONL line ${e.sourcePath}:${e.line.line}: ${e.line.reason}`);
      },
    });
    if (values.glob && totals.written + totals.fresh + totals.failures === 0) {
      io.err(`note: no file matches ${source} yet; files that match later are read by every query`);
    }
    const failures = totals.failures ? `, ${totals.failures} failure(s)` : "";
    io.out(`Done. ${totals.written} file(s) written, ${totals.fresh} fresh, ${totals.rows} row(s)${failures}.`);
    io.out(`Query with: ctvs query sql "select * from ${table}"`);
    return totals.failures ? 1 : 0;
  } finally {
    db.close();
  }
}

/** The `collect` command. */
export const collectCommand: Command = {
  name: "collect",
  summary: "register a JSONL file or glob as a queryable collection",
  async run(argv: string[], io: Io): Promise<number> {
    try {
      return await runCollect(argv, io);
    } catch (err) {
      if (!(err instanceof QueryError)) throw err;
      io.err(`error: ${err.message}`);
      return 1;
    }
  },
};
