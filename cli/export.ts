/**
 * `ctvs export`: every day of the datasets the daily archive takes by default (OTLP, Gas City, the imported
 * transcripts; today's open files included) as zstd Parquet, one file per (gateway, signal, date) in the reference
 * §2.5 layout `<out>/<gw>/<signal>/date=<d>/data.parquet` (a derived dataset, `transcript_requests`, under its own
 * name). The query cache is refreshed first and the files are written from it (straight from the JSONL when the cache
 * is disabled, but for a derived dataset, which is made in the cache after the gateway's earlier days). The Gas City
 * files hold the rows the query views show: a row the capture wrote twice is written once.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { loadConfig } from "../platform/config/load.ts";
import { useClaudeTranscripts } from "../query/transcripts.ts";
import { expandHome } from "../platform/paths.ts";
import { configuredCacheDir } from "../query/cache_layout.ts";
import type { Dataset } from "../query/dataset.ts";
import { DATASETS } from "../query/datasets.ts";
import { openDb } from "../query/duckdb.ts";
import { listPartitions, type Partition } from "../query/partitions.ts";
import { refreshEarlierDays } from "../query/refresh_partition.ts";
import { ARCHIVED_SIGNALS, DEFAULT_UPLOAD_SIGNALS } from "../storage/upload/upload_settings.ts";
import { writePartitionParquet } from "../query/write_partition_parquet.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { recordingRoot } from "../platform/config/recording_root.ts";
import { Progress } from "./query/progress.ts";
import { UsageError } from "./usage_error.ts";

/**
 * The datasets export writes: those the daily archive takes by default (the derived proxy_messages and llm_requests are
 * left out, as the archive leaves them out unless asked: the proxy's JSONL is the record of its traffic).
 */
const EXPORTED: readonly Dataset[] = DATASETS.filter((d) =>
  DEFAULT_UPLOAD_SIGNALS.some((signal) => ARCHIVED_SIGNALS[signal].dataset === d.name)
);

/** The folder of a dataset's files under a gateway: its signal's, or its own name for a derived one. */
function exportDir(dataset: Dataset): string {
  return dataset.derive ? dataset.name : dataset.signal;
}
const SIGNALS_TEXT = `${EXPORTED.slice(0, -1).map((d) => d.name).join(", ")} or ${EXPORTED.at(-1)!.name}`;

const USAGE = `Usage: ctvs export --config <path|url> [--out <dir>] [--date YYYY-MM-DD] [--gateway-id <id>]
                   [--signal ${EXPORTED.map((d) => d.name).join("|")}]

Writes each day file of the recordings (OTLP, Gas City, imported transcripts and the requests derived from them),
today's still-open ones included, as one zstd Parquet file:
<out>/<gateway_id>/<signal>/date=<YYYY-MM-DD>/data.parquet. Prints "wrote <path> (<rows> rows, <bytes> bytes)" or
"skip <gw>/<signal>/<date>: 0 rows" per file, then "Done. N file(s), R row(s)". Progress goes to a terminal only.
Gas City rows are written as the query views show them: one row per row_id / event_id. transcript_requests,
derived in the query cache from what ctvs import wrote, goes under <gateway_id>/transcript_requests/.

  --out <dir>               where to write (default <sink.dir>/parquet)
  --date YYYY-MM-DD         only this day (repeatable)
  --gateway-id <id>         only this gateway (repeatable)
  --signal <s>              only ${SIGNALS_TEXT}

${CONFIG_FLAGS_HELP}`;

const FLAGS = {
  ...CONFIG_FLAGS,
  "help": { type: "boolean", short: "h" },
  "out": { type: "string", requires: "--out requires a directory" },
  "date": { type: "string", multiple: true, requires: "--date requires YYYY-MM-DD" },
  "gateway-id": { type: "string", multiple: true, requires: "--gateway-id requires an id" },
  "signal": { type: "string", requires: `--signal requires ${SIGNALS_TEXT}` },
} as const;

/** A failure with its own message: `error: <message>`, exit 1. */
class ExportError extends Error {}

/** The partitions to export: sources on disk, within the filters, by date, gateway, then signal. */
async function sources(root: string, cacheDir: string, datasets: Dataset[], gws: string[], dates: string[]) {
  const found: Partition[] = [];
  for (const dataset of datasets) {
    for (const p of await listPartitions(root, cacheDir, dataset)) {
      if (gws.length && !gws.includes(p.gatewayId)) continue;
      if (dates.length && !dates.includes(p.date)) continue;
      if (await stat(p.sourcePath).then((s) => s.isFile(), () => false)) found.push(p);
    }
  }
  const order = (p: Partition) => `${p.date}\0${p.gatewayId}\0${DATASETS.indexOf(p.dataset)}`;
  return found.sort((a, b) => order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0);
}

/** Progress on stderr when it is a terminal: rows read so far, megabytes and the read rate. */
function progress() {
  const line = new Progress("exporting");
  let doneBytes = 0, doneRows = 0;
  return {
    read(label: string, bytes: number, lines: number) {
      line.show({ label, rows: doneRows + lines, bytes: doneBytes + bytes });
    },
    clear: () => line.clear(),
    finished(sourceBytes: number, written: number) {
      doneBytes += sourceBytes;
      doneRows += written;
      line.clear();
    },
  };
}

/** Runs `ctvs export`. */
export async function runExport(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, USAGE);
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (["config", "config-env", "config-endpoint", "default-config"].every((f) => values[f] === undefined)) {
    throw new UsageError("--config is required", USAGE);
  }
  const signal = values.signal as string | undefined;
  const one = signal === undefined ? undefined : EXPORTED.find((d) => d.name === signal);
  if (signal !== undefined && !one) throw new UsageError(`--signal must be ${SIGNALS_TEXT}`, USAGE);
  const dates = (values.date as string[] | undefined) ?? [];
  for (const d of dates) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) throw new UsageError(`--date must be YYYY-MM-DD, got ${d}`, USAGE);
  }
  const { config } = await loadConfig(configSourceFrom(values, USAGE), { strict: values.strict === true });
  useClaudeTranscripts(config.query?.claude_transcripts_dir);
  let root: string;
  try {
    root = recordingRoot(config);
  } catch {
    throw new ExportError("config has no sink; nothing to export");
  }
  const out = values.out ? path.resolve(expandHome(values.out as string)) : path.join(root, "parquet");
  const cacheDir = configuredCacheDir(config, root);
  const useCache = config.query?.cache?.enabled !== false;
  const gws = (values["gateway-id"] as string[] | undefined) ?? [];
  let partitions;
  try {
    partitions = await sources(root, cacheDir, one ? [one] : [...EXPORTED], gws, dates);
  } catch (err) {
    // A folder of the recordings that cannot be listed is not "no files": say which and why.
    throw new ExportError((err as Error).message);
  }
  if (partitions.length === 0) {
    io.out(`No JSONL files matched in ${root}.`);
    return 0;
  }
  const shown = progress();
  const db = await openDb();
  let files = 0, rows = 0, failures = 0;
  try {
    for (const p of partitions) {
      const label = `${p.gatewayId}/${exportDir(p.dataset)}/${p.date}`;
      const target = path.join(out, p.gatewayId, exportDir(p.dataset), `date=${p.date}`, "data.parquet");
      let read = 0;
      try {
        // A derived day is made in the cache, after the gateway's earlier days (with --date, they were not exported).
        if (p.dataset.derive) await refreshEarlierDays(db, { root, cacheDir }, p.dataset, p);
        const written = await writePartitionParquet(root, p.gatewayId, p.dataset, p.date, target, {
          db,
          cacheDir: useCache || p.dataset.derive ? cacheDir : undefined,
          gatewayIdColumn: false,
          onBytes: (bytes, lines) => shown.read(label, read = bytes, lines),
          onMalformed: (file, line) => {
            shown.clear();
            io.err(`[collectivus] skipping malformed JSONL line ${file}:${line.line}: ${line.reason}`);
          },
        });
        shown.finished(read, written.rows);
        if (written.rows === 0) {
          io.out(`skip ${label}: 0 rows`);
          continue;
        }
        files++;
        rows += written.rows;
        io.out(`wrote ${target} (${written.rows} rows, ${written.bytes} bytes)`);
      } catch (err) {
        shown.finished(read, 0);
        failures++;
        io.err(`error: export failed for ${label}: ${(err as Error).message}`);
      }
    }
  } finally {
    db.close();
  }
  io.out(`Done. ${files} file(s), ${rows} row(s)${failures ? `, ${failures} failure(s)` : ""}.`);
  return failures ? 1 : 0;
}

/** The `export` command. */
export const exportCommand: Command = {
  name: "export",
  summary: "write the recordings as zstd Parquet files",
  async run(argv: string[], io: Io): Promise<number> {
    try {
      return await runExport(argv, io);
    } catch (err) {
      if (!(err instanceof ExportError)) throw err;
      io.err(`error: ${err.message}`);
      return 1;
    }
  },
};
