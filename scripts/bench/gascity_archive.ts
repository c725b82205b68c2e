/**
 * What the S3 archive's deduplication of the Gas City datasets costs: a day of `gascity_messages` written as the
 * archive's Parquet (through the query cache, as the uploader writes it), with and without keeping one row per `row_id`
 * and dropping the keys the gateway's earlier day holds. The rows are the capture's own, made by its row maker from the
 * real Claude Code transcript repeated with fresh ids (tests/fixtures/gascity_transcript.ts); the later day starts with
 * the earlier day's last 1% again and repeats 1% of its own, as a crash between a write and its journal leaves them.
 *
 * - baseline: the day as written (the same writer with the dataset's unique key taken away);
 * - deduplicated, the earlier day already in the cache (every daily run after the first);
 * - deduplicated, the earlier day read into the cache first (a first run).
 *
 * Each case runs in a child process of its own, so its peak RSS (`VmHWM`) and CPU time are its alone; the S3 upload
 * itself is not part of it (`deno task bench upload` measures that, and it is unchanged).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { mkdir, mkdtemp, open, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { ARCHIVE_THREADS, writeArchiveParquet } from "../../query/archive_parquet.ts";
import { defaultCacheDir } from "../../query/cache_layout.ts";
import { GASCITY_MESSAGES } from "../../query/gascity/datasets.ts";
import { gascitySessionRows } from "../../query/gascity/message_rows.ts";
import { openDb } from "../../query/duckdb.ts";
import { listPartitions } from "../../query/partitions.ts";
import { refreshPartition } from "../../query/refresh_partition.ts";
import { writePartitionParquet } from "../../query/write_partition_parquet.ts";
import { lineKey } from "../../server/gascity/line_key.ts";
import { repeatedTranscript } from "../../tests/fixtures/gascity_transcript.ts";
import type { BenchResult } from "./_table.ts";

/** Copies of the 24-line transcript a day: 1,500 is 36,000 lines, 25,500 rows. */
const COPIES = 1500;
const DAYS = ["2025-03-01", "2025-03-02"] as const;
const CASES = {
  baseline: "gascity_messages day -> Parquet as written (baseline)",
  warm: "deduplicated, the earlier day cached (a daily run)",
  cold: "deduplicated, the earlier day read first (a first run)",
} as const;
type CaseName = keyof typeof CASES | "cache-earlier";

interface ChildResult {
  rows: number;
  seconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
}

function peakRss(): number {
  return Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"))?.[1] ?? 0) * 1024;
}

/** Writes the two days (see the module doc); resolves with the later day's size in bytes. */
async function writeDays(root: string): Promise<number> {
  const session = { city: "bench", sessionId: "s-long", template: "mayor", rig: "r", alias: "m", provider: "claude" };
  const maker = gascitySessionRows(session, undefined);
  const lines = repeatedTranscript(COPIES * 2);
  const batches = lines.map((line) => maker.line(line, lineKey(line)).map((r) => JSON.stringify(r)).join("\n"))
    .filter((b) => b !== "");
  const half = batches.length / 2;
  const [first, second] = [batches.slice(0, half), batches.slice(half)];
  const repeat = Math.ceil(first.length / 100);
  const later = [...first.slice(-repeat), ...second];
  for (let i = 0; i < repeat; i++) later.splice(Math.floor((i * later.length) / repeat), 0, second[i * 10]);
  const dir = path.join(root, "gw", GASCITY_MESSAGES.signal);
  await mkdir(dir, { recursive: true });
  for (const [date, day] of [[DAYS[0], first], [DAYS[1], later]] as const) {
    const handle = await open(path.join(dir, `${date}.jsonl`), "w");
    try {
      await handle.write(`${day.join("\n")}\n`);
    } finally {
      await handle.close();
    }
  }
  return (await stat(path.join(dir, `${DAYS[1]}.jsonl`))).size;
}

/** One case, in this (child) process. */
async function child(name: CaseName, root: string): Promise<ChildResult> {
  const output = path.join(root, `${name}.parquet`);
  const cpu = process.cpuUsage();
  const start = performance.now();
  let rows: number;
  if (name === "cache-earlier") {
    const db = await openDb();
    try {
      const [earlier] = await listPartitions(root, defaultCacheDir(root), GASCITY_MESSAGES);
      rows = (await refreshPartition(db, earlier)).cursor?.row_count ?? 0;
    } finally {
      db.close();
    }
  } else if (name === "baseline") {
    // The archive's writer (one thread, the cache), for a dataset without a unique key: no window, no earlier days.
    const asWritten = { ...GASCITY_MESSAGES, uniqueKey: undefined };
    const db = await openDb();
    try {
      await db.run(`SET threads = ${ARCHIVE_THREADS}`);
      const options = { cacheDir: defaultCacheDir(root), db };
      rows = (await writePartitionParquet(root, "gw", asWritten, DAYS[1], output, options)).rows;
    } finally {
      db.close();
    }
  } else {
    const job = { gatewayId: "gw", signal: "gascity_messages" as const, date: DAYS[1] };
    rows = (await writeArchiveParquet(root, job, output)).rows;
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { rows, seconds, cpuSeconds: (used.user + used.system) / 1e6, peakRssBytes: peakRss() };
}

function runChild(name: CaseName, root: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    const args = ["run", "--allow-all", new URL(import.meta.url).pathname, "--child", name, root];
    const proc = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    proc.stdout.on("data", (chunk) => out += chunk);
    proc.on("error", reject);
    proc.on("close", (code) => code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`${name} exited ${code}`)));
  });
}

/** Runs every case; see the module doc. */
export async function run(): Promise<BenchResult[]> {
  const results: BenchResult[] = [];
  for (const name of Object.keys(CASES) as (keyof typeof CASES)[]) {
    const root = await mkdtemp(path.join(os.tmpdir(), "ctvs-bench-gascity-archive-"));
    try {
      const bytes = await writeDays(root);
      // Each case reads the day into a cache of its own; a daily run finds the earlier day cached already.
      if (name === "warm") await runChild("cache-earlier", root);
      const measured = await runChild(name, root);
      results.push({
        benchmark: "gascity_archive",
        case: CASES[name],
        bytes,
        ...measured,
        ...(name === "baseline" ? {} : { baseline: CASES.baseline }),
      });
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return results;
}

if (import.meta.main && process.argv[2] === "--child") {
  console.log(JSON.stringify(await child(process.argv[3] as CaseName, process.argv[4])));
}
