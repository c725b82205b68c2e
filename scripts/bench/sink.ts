/**
 * The JSONL sink benchmark: 1 KB rows appended by 1 and by 50 concurrent writers through `JsonlSink` (fsync on
 * rotate, and fsync always), beside a baseline of one `fs.promises.appendFile` per row with the same concurrency.
 * The baseline never fsyncs, so the "fsync always" ratios compare durable writes with page-cache writes.
 *
 * @module
 */
import { appendFile, mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { type FsyncPolicy, JsonlSink } from "../../storage/jsonl_sink.ts";
import { calibrate, measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

const BODY = "x".repeat(960);
const TARGET_SECONDS = 1.5;

/** A row whose JSON line is 1 KB, as an OTLP log row roughly is. */
function row(writer: number, seq: number) {
  return { ts: "2025-03-01T12:00:00.000Z", writer, seq, body: BODY.slice(0, 960 - String(seq).length) };
}
const ROW_BYTES = JSON.stringify(row(0, 0)).length + 1;

/** Splits `rows` over `writers` that each append one row at a time, awaiting each. */
async function inWriters(rows: number, writers: number, appendOne: (writer: number, seq: number) => Promise<void>) {
  await Promise.all(Array.from({ length: writers }, async (_, writer) => {
    for (let seq = writer; seq < rows; seq += writers) await appendOne(writer, seq);
  }));
}

interface Case {
  name: string;
  writers: number;
  baseline?: string;
  /** Caps the calibrated rows (fsync always on a slow disk must not run for minutes). */
  maxRows: number;
  /** Appends `rows` rows under `dir` (a fresh directory). */
  run(dir: string, rows: number): Promise<void>;
}

function appendFileCase(writers: number): Case {
  return {
    name: `appendFile per row, ${writers} writer${writers > 1 ? "s" : ""}`,
    writers,
    maxRows: 1_000_000,
    run: async (dir, rows) => {
      await mkdir(dir, { recursive: true });
      const file = path.join(dir, "baseline.jsonl");
      await inWriters(rows, writers, (w, seq) => appendFile(file, JSON.stringify(row(w, seq)) + "\n"));
    },
  };
}

function sinkCase(writers: number, fsync: FsyncPolicy): Case {
  return {
    name: `JsonlSink fsync ${fsync}, ${writers} writer${writers > 1 ? "s" : ""}`,
    writers,
    baseline: appendFileCase(writers).name,
    maxRows: fsync === "always" ? 200_000 : 2_000_000,
    run: async (dir, rows) => {
      const sink = new JsonlSink({ dir, gatewayId: "bench", fsync });
      await inWriters(rows, writers, (w, seq) => sink.append("logs", [row(w, seq)]));
      await sink.close();
    },
  };
}

/** Runs every sink case in a temporary directory (`CTVS_BENCH_DIR` chooses its parent) and removes it. */
export async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-sink-"));
  const cases = [
    appendFileCase(1),
    appendFileCase(50),
    sinkCase(1, "rotate"),
    sinkCase(50, "rotate"),
    sinkCase(1, "always"),
    sinkCase(50, "always"),
  ];
  const results: BenchResult[] = [];
  try {
    let n = 0;
    // Every run gets its own directory, removed at once, so no case reads or grows another's file.
    const inFreshDir = async (work: (dir: string) => Promise<void>) => {
      const dir = path.join(root, String(n++));
      try {
        await work(dir);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    for (const c of cases) {
      const rows = await calibrate((probe) => inFreshDir((dir) => c.run(dir, probe)), {
        probeRows: c.writers * 20,
        targetSeconds: TARGET_SECONDS,
        maxRows: c.maxRows,
      });
      let measured = { seconds: 0, peakRssBytes: 0 };
      await inFreshDir(async (dir) => {
        measured = await measure(() => c.run(dir, rows));
      });
      results.push({
        benchmark: "sink",
        case: c.name,
        rows,
        bytes: rows * ROW_BYTES,
        ...measured,
        baseline: c.baseline,
      });
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return results;
}
