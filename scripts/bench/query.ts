/**
 * The query benchmark, over rows the receiver makes of what the OpenTelemetry SDK sends: 1 M log rows and 1 M spans,
 * written by encoding the bodies captured from the real exporters (`tests/fixtures/otlp/`) batch after batch, each
 * batch's times and session ids moved on so that the rows are not one batch repeated.
 *
 * Whole processes, as a user runs them (`ctvs query sql "select serviceName, count(*) from logs group by 1"`), each
 * beside DuckDB alone in a process of its own (`duckdb_sql.ts`) doing the same work:
 * - the first run as a person at a terminal meets it (`--refresh background`, what `auto` does on a terminal): the day
 *   read in place, beside the GROUP BY straight over the JSONL with `read_json` (goal, issue 17: within 2x); and the
 *   time until its background refresh has built the cache, beside DuckDB's `read_json` of the JSONL to zstd Parquet;
 * - the first run piped (what a script gets: the cache built first), beside that conversion;
 * - the same query on a fresh cache, and after 10,000 more rows (the query refreshes first), median of 5, beside
 *   DuckDB running the GROUP BY over the cache's Parquet files (the floor of any query process: starting, loading
 *   DuckDB). Goals (issue 17): fresh 0.35 s, after 10,000 rows 0.5 s.
 * The day files are flushed to disk before anything is timed, and each DuckDB baseline of the first run runs once before
 * and once after ctvs; the faster run counts.
 *
 * In-process (the engine without process start-up): the first refresh of each dataset beside `read_json` to zstd
 * Parquet, an incremental refresh of 10,000 rows, the GROUP BY over the cache, and over the JSONL read in place, beside
 * the same with DuckDB's `read_json` over the JSONL.
 *
 * CPU time is given beside wall time (children's from `/proc/self/stat`, Linux only): on a shared machine it moves much
 * less with the neighbours' load.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { closeSync, fsyncSync, openSync, readFileSync, writeSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { backgroundLock } from "../../cli/query/background_refresh.ts";
import { lockOwner } from "../../platform/file_lock.ts";
import { encodeRequest } from "../../server/otlp/encode_request.ts";
import { LOGS as LOG_SIGNAL, type Signal, TRACES as TRACE_SIGNAL } from "../../server/otlp/signals.ts";
import { DENO_RUN_FLAGS } from "../../platform/v8_flags.ts";
import { defaultCacheDir, inPlaceDir } from "../../query/cache_layout.ts";
import { literal } from "../../query/dataset.ts";
import { LOGS, TRACES } from "../../query/datasets.ts";
import { openDb } from "../../query/duckdb.ts";
import { readInPlace } from "../../query/in_place.ts";
import { datasetTable, type PartitionStatus, partitionStatuses } from "../../query/partition_status.ts";
import { refreshAll } from "../../query/refresh_all.ts";
import { openSession } from "../../query/session.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

/** Rows of each dataset: 1 M, or `CTVS_BENCH_QUERY_ROWS` for a quick run. */
const ROWS = Number(process.env.CTVS_BENCH_QUERY_ROWS ?? 1_000_000);
const APPENDED = 10_000;
const DATE = "2026-04-22";
const RUNS = 5;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "otlp");
const GROUP_BY = "select serviceName, count(*) from logs group by 1";

/**
 * Writes `count` rows of `signal` to `file` (appending), starting at batch `first`: the captured JSON body encoded by
 * the receiver, batch after batch, with its times moved on a minute a batch and its session ids renumbered.
 * Returns the next batch number.
 */
function generate(signal: Signal, file: string, count: number, first = 0): number {
  const body = readFileSync(path.join(FIXTURES, `${signal.name}.json`), "utf8");
  const fd = openSync(file, "a");
  let batch = first;
  try {
    for (let written = 0; written < count; batch++) {
      const text = body
        .replace(/(UnixNano":")(\d+)"/g, (_, key, nanos) => `${key}${BigInt(nanos) + BigInt(batch) * 60_000_000_000n}"`)
        .replaceAll('"1f2e', `"${(batch % 0xffff).toString(16).padStart(4, "0")}`);
      const out = { rows: new JsonlBytes() };
      const { rows } = encodeRequest(signal, "json", new TextEncoder().encode(text), out);
      let lines = out.rows.bytes();
      if (written + rows > count) {
        // The last batch, cut to the rows still wanted.
        let end = 0;
        for (let i = 0; i < count - written; i++) end = lines.indexOf(0x0a, end) + 1;
        lines = lines.subarray(0, end);
      }
      writeSync(fd, lines);
      written += Math.min(rows, count - written);
    }
  } finally {
    closeSync(fd);
  }
  return batch;
}

/** CPU seconds (user + system) of the children this process has waited for, from `/proc/self/stat`; 0 elsewhere. */
async function childCpuSeconds(): Promise<number> {
  const stat = await readFile("/proc/self/stat", "utf8").catch(() => "");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // cutime and cstime are fields 16 and 17, in clock ticks (100 a second on Linux).
  return (Number(fields[13] ?? 0) + Number(fields[14] ?? 0)) / 100;
}

/** Runs a whole process; resolves with its wall time and CPU time. */
async function timeProcess(argv: string[]): Promise<{ seconds: number; cpuSeconds: number }> {
  const cpu = await childCpuSeconds();
  const start = performance.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "inherit"], cwd: ROOT });
    child.on("error", reject);
    child.on("exit", (code) => code === 0 ? resolve() : reject(new Error(`${argv.join(" ")} exited with ${code}`)));
  });
  return { seconds: (performance.now() - start) / 1000, cpuSeconds: await childCpuSeconds() - cpu };
}

/** Runs the GROUP BY in a session over the logs of `statuses` (in this process). */
async function groupBy(statuses: PartitionStatus[], allowedDirs: string[]): Promise<void> {
  const session = await openSession([datasetTable(LOGS, statuses)], {}, allowedDirs);
  try {
    const rows = await (await session.query(GROUP_BY)).getRowObjectsJS();
    if (rows.length !== 1) throw new Error(`${rows.length} groups, expected 1`);
  } finally {
    session.close();
  }
}

/** Resolves once the background refresh of `cache` has run and its logs partition is cached. */
async function backgroundDone(cache: string): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 600_000) {
    const [status] = await partitionStatuses("/nonexistent", cache, [LOGS]);
    if (status?.cursor && await lockOwner(backgroundLock(cache)) === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the background refresh did not build ${cache} in 10 minutes`);
}

/** The median run (by wall time) of `runs`. */
function median<T extends { seconds: number }>(runs: T[]): T {
  return [...runs].sort((a, b) => a.seconds - b.seconds)[Math.floor(runs.length / 2)];
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const dir = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-query-"));
  const results: BenchResult[] = [];
  const add = (name: string, rows: number, bytes: number, m: Partial<BenchResult>, baseline?: string) =>
    results.push({
      benchmark: "query",
      case: name,
      rows,
      bytes,
      seconds: m.seconds ?? 0,
      peakRssBytes: m.peakRssBytes ?? 0,
      ...(m.cpuSeconds === undefined ? {} : { cpuSeconds: m.cpuSeconds }),
      ...(baseline ? { baseline } : {}),
    });
  const inProcess = async (work: () => Promise<void>) => {
    const cpu = process.cpuUsage();
    const m = await measure(work);
    const used = process.cpuUsage(cpu);
    return { ...m, cpuSeconds: (used.user + used.system) / 1e6 };
  };
  try {
    const root = path.join(dir, "rec");
    const logsFile = path.join(root, "gw", "logs", `${DATE}.jsonl`);
    const tracesFile = path.join(root, "gw", "traces", `${DATE}.jsonl`);
    await mkdir(path.dirname(logsFile), { recursive: true });
    await mkdir(path.dirname(tracesFile), { recursive: true });
    let nextBatch = generate(LOG_SIGNAL, logsFile, ROWS);
    generate(TRACE_SIGNAL, tracesFile, ROWS);
    const logBytes = (await stat(logsFile)).size;
    const spanBytes = (await stat(tracesFile)).size;
    const config = path.join(dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    const deno = [process.execPath, "run", "--allow-all", "--quiet", ...DENO_RUN_FLAGS];
    const ctvs = [...deno, path.join(ROOT, "main.ts"), "query", "sql", GROUP_BY, "--config", config];
    const duckdb = (sql: string) => [...deno, path.join(ROOT, "scripts", "bench", "duckdb_sql.ts"), sql];
    const cache = defaultCacheDir(root);

    // Whole processes. The day files are on disk before anything is timed (their writeback would slow whichever case
    // runs first), and the baselines run first, so the files are a few seconds old when ctvs first reads them: a day
    // nobody is writing, as a first query usually meets it. Each baseline runs again after ctvs and the faster run
    // counts.
    for (const file of [logsFile, tracesFile]) {
      const fd = openSync(file, "r");
      fsyncSync(fd);
      closeSync(fd);
    }
    const convertBase = "DuckDB alone: read_json of the logs to zstd Parquet, whole process";
    const parquet = path.join(dir, "baseline.parquet");
    const convert = duckdb(
      `COPY (SELECT * FROM read_json(${literal(logsFile)})) TO ${literal(parquet)} (FORMAT parquet, COMPRESSION zstd)`,
    );
    const jsonBase = "DuckDB alone: the GROUP BY over the logs JSONL with read_json, whole process";
    const overJson = duckdb(GROUP_BY.replace("logs", `read_json(${literal(logsFile)})`));
    await timeProcess(duckdb("select 1")); // warm Deno's caches
    const converted = [await timeProcess(convert)];
    const grouped = [await timeProcess(overJson)];
    // The first run on a terminal: read in place, and the cache built by the background refresh it starts.
    const started = performance.now();
    const inPlace = await timeProcess([...ctvs, "--refresh", "background"]);
    await backgroundDone(cache);
    const untilCached = { seconds: (performance.now() - started) / 1000 };
    // The first run piped: the cache built first.
    await rm(cache, { recursive: true, force: true });
    const first = await timeProcess(ctvs);
    converted.push(await timeProcess(convert));
    grouped.push(await timeProcess(overJson));
    const fastest = <T extends { seconds: number }>(runs: T[]) => [...runs].sort((a, b) => a.seconds - b.seconds)[0];
    add(convertBase, ROWS, logBytes, fastest(converted));
    add(jsonBase, ROWS, logBytes, fastest(grouped));
    add(
      "ctvs query sql (GROUP BY), first run on a terminal: reads the JSONL in place, whole process",
      ROWS,
      logBytes,
      inPlace,
      jsonBase,
    );
    add(
      "ctvs query sql (GROUP BY), first run on a terminal: until its background refresh has built the cache",
      ROWS,
      logBytes,
      untilCached,
      convertBase,
    );
    add(
      "ctvs query sql (GROUP BY), first run piped: builds the cache first, whole process",
      ROWS,
      logBytes,
      first,
      convertBase,
    );

    const parts = async () => {
      const statuses = await partitionStatuses(root, cache, [LOGS]);
      return datasetTable(LOGS, statuses).files.map(literal).join(", ");
    };
    const floorBase = "DuckDB alone: the GROUP BY over the cache's Parquet, whole process (median of 5)";
    const floorSql = GROUP_BY.replace("logs", `read_parquet([${await parts()}])`);
    const floorRuns = [];
    for (let i = 0; i < RUNS; i++) floorRuns.push(await timeProcess(duckdb(floorSql)));
    add(floorBase, ROWS, 0, median(floorRuns));
    const fresh = [];
    for (let i = 0; i < RUNS; i++) fresh.push(await timeProcess(ctvs));
    add("ctvs query sql (GROUP BY), cache fresh, whole process (median of 5)", ROWS, 0, median(fresh), floorBase);
    const appended = [];
    for (let i = 0; i < RUNS; i++) {
      nextBatch = generate(LOG_SIGNAL, logsFile, APPENDED, nextBatch);
      appended.push(await timeProcess(ctvs));
    }
    add(
      `ctvs query sql (GROUP BY) after ${
        APPENDED.toLocaleString("en-US")
      } more rows (refreshes first), whole process (median of 5)`,
      ROWS,
      0,
      median(appended),
      floorBase,
    );

    // In-process: the engine alone, in this process's DuckDB, over a cache of its own (the logs now hold the rows
    // appended above too).
    await rm(cache, { recursive: true, force: true });
    const logRows = ROWS + RUNS * APPENDED;
    const datasets = [
      { name: "logs", dataset: LOGS, file: logsFile, rows: logRows, bytes: (await stat(logsFile)).size },
      { name: "spans", dataset: TRACES, file: tracesFile, rows: ROWS, bytes: spanBytes },
    ];
    const db = await openDb();
    try {
      for (const { name, file, rows, bytes } of datasets) {
        const out = path.join(dir, `${name}-baseline.parquet`);
        add(
          `in-process: read_json -> zstd Parquet, ${name} (baseline)`,
          rows,
          bytes,
          await inProcess(() =>
            db.run(
              `COPY (SELECT * FROM read_json(${literal(file)})) TO ${literal(out)} (FORMAT parquet, COMPRESSION zstd)`,
            )
          ),
        );
        await rm(out, { force: true });
      }
      for (const { name, dataset, rows, bytes } of datasets) {
        add(
          `in-process: first refresh, ${name}`,
          rows,
          bytes,
          await inProcess(async () => {
            const summary = await refreshAll(db, await partitionStatuses(root, cache, [dataset]));
            if (summary.rows !== rows) throw new Error(`refreshed ${summary.rows} rows, expected ${rows}`);
          }),
          `in-process: read_json -> zstd Parquet, ${name} (baseline)`,
        );
      }
      const before = (await stat(logsFile)).size;
      generate(LOG_SIGNAL, logsFile, APPENDED, nextBatch);
      add(
        `in-process: incremental refresh, ${APPENDED.toLocaleString("en-US")} appended logs`,
        APPENDED,
        (await stat(logsFile)).size - before,
        await inProcess(async () => {
          const summary = await refreshAll(db, await partitionStatuses(root, cache, [LOGS]));
          if (summary.rows !== APPENDED) throw new Error(`refreshed ${summary.rows} rows, expected ${APPENDED}`);
        }),
      );
      const jsonGroupBy = "in-process: GROUP BY over the JSONL, read_json (baseline)";
      add(
        jsonGroupBy,
        logRows + APPENDED,
        before,
        await inProcess(async () => {
          await db.all(GROUP_BY.replace("logs", `read_json(${literal(logsFile)})`));
        }),
      );
      add(
        "in-process: GROUP BY over the cache",
        logRows + APPENDED,
        before,
        await inProcess(async () => await groupBy(await partitionStatuses(root, cache, [LOGS]), [root])),
        jsonGroupBy,
      );
      add(
        "in-process: GROUP BY over the JSONL read in place (the dataset's typed SELECT)",
        logRows + APPENDED,
        before,
        await inProcess(async () => {
          // A cache of its own, empty: the day is read in place as a first query reads it.
          const empty = path.join(dir, "empty-cache");
          const statuses = await partitionStatuses(root, empty, [LOGS]);
          for (const s of statuses) s.inPlace = await readInPlace(s, inPlaceDir(empty));
          await groupBy(statuses, [root, empty]);
        }),
        jsonGroupBy,
      );
    } finally {
      db.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return results;
}
