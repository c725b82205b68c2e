/**
 * The OTLP receiver benchmark, fed what users send: request bodies captured from the real OpenTelemetry JS exporters
 * (`tests/fixtures/otlp/`, made by `capture_otlp.ts`: 512 Claude Code-like spans, log records and metric data points
 * per request, as OTLP/JSON and as protobuf), posted as the exporters post them (a chunked body, no length) by 8
 * concurrent senders to a real `ctvs` process: rows/s sustained into JSONL (a 200 means the rows are written), the
 * receiver's CPU time per row and its peak RSS (`VmHWM` and CPU from /proc: Linux only, else 0).
 *
 * The baseline of each signal is the floor a Node collector reaches: `node_floor_receiver.mjs`, a plain `node:http`
 * server that only parses the JSON and appends one line per record, sent the same JSON bodies the same way. For
 * traces the table also has the same bodies decoded, normalized and written in-process (no HTTP), which tells the
 * receiver's own cost from the HTTP around it.
 *
 * The cases run in rounds (`CTVS_BENCH_REPEATS`, 3), each case once a round for `CTVS_BENCH_SECONDS` (4) after a
 * second of warm-up, so a neighbour's burst on a shared machine hits every case alike; the table keeps each case's
 * fastest run and the highest peak RSS of its runs. `CTVS_BENCH_SIGNALS` (e.g. `traces`) limits the signals.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { encodeRequest } from "../../server/otlp/encode_request.ts";
import { exportSlots } from "../../server/otlp/export_handler.ts";
import type { Encoding } from "../../server/otlp/media.ts";
import { LOGS, METRICS, type Signal, TRACES } from "../../server/otlp/signals.ts";
import { writeRows } from "../../server/otlp/write_rows.ts";
import { DENO_RUN_FLAGS } from "../../platform/v8_flags.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

const SECONDS = Number(process.env.CTVS_BENCH_SECONDS ?? 4);
const WARMUP_SECONDS = 1;
const REPEATS = Number(process.env.CTVS_BENCH_REPEATS ?? 3);
const SENDERS = 8;
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const FIXTURES = path.join(ROOT, "tests", "fixtures", "otlp");

/** A signal's captured request, in both encodings, and how many rows each gives. */
export interface Captured {
  signal: Signal;
  bodies: Record<Encoding, Uint8Array>;
  rows: number;
}

/** Reads the captured bodies of `signal` and counts their rows (the same in both encodings, or the bench stops). */
export async function captured(signal: Signal): Promise<Captured> {
  const bodies = {
    json: new Uint8Array(await readFile(path.join(FIXTURES, `${signal.name}.json`))),
    protobuf: new Uint8Array(await readFile(path.join(FIXTURES, `${signal.name}.pb`))),
  };
  const count = (encoding: Encoding) =>
    encodeRequest(signal, encoding, bodies[encoding], { rows: new JsonlBytes() }).rows;
  const rows = count("json");
  if (count("protobuf") !== rows) throw new Error(`Cannot benchmark: the ${signal.name} fixtures differ in rows`);
  return { signal, bodies, rows };
}

/** Runs `send` in `senders` loops until `seconds` pass; returns how many requests completed and the time taken. */
export async function sustained(senders: number, seconds: number, send: () => Promise<void>) {
  const stop = performance.now() + seconds * 1000;
  let requests = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    while (performance.now() < stop) {
      await send();
      requests++;
    }
  }));
  return { requests, seconds: (performance.now() - start) / 1000 };
}

/** What one run of a case measured. */
interface Run {
  requests: number;
  seconds: number;
  peakRssBytes: number;
  /** The receiver's CPU time (user + system) during the run. */
  cpuSeconds: number;
}

/** The in-process baseline: decode, normalize and write each body in this process, one after the other. */
async function inProcess(c: Captured, encoding: Encoding, dir: string): Promise<Run> {
  const sink = new JsonlSink({ dir, gatewayId: "bench" });
  const slots = exportSlots(1);
  const once = () =>
    slots.run(async ({ raw, rows }) => {
      encodeRequest(c.signal, encoding, c.bodies[encoding], { raw, rows });
      await writeRows(sink, c.signal, rows.bytes(), raw.bytes());
      raw.clear();
      rows.clear();
    });
  await sustained(1, WARMUP_SECONDS, once);
  let run = { requests: 0, seconds: 0 };
  const cpu = process.cpuUsage();
  const { peakRssBytes } = await measure(async () => {
    run = await sustained(1, SECONDS, once);
  });
  const used = process.cpuUsage(cpu);
  await sink.close();
  return { ...run, peakRssBytes, cpuSeconds: (used.user + used.system) / 1e6 };
}

/** A receiver child process: where to post, its peak RSS and its CPU time so far. */
export interface Receiver {
  url: string;
  peakRss(): Promise<number>;
  cpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts `command` and waits for the line `ready` matches, whose first group is the address it listens on. */
export async function startChild(command: string, args: string[], ready: RegExp, env: Record<string, string>) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] });
  const address = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = ready.exec(out);
      if (match) resolve(match[1]);
    });
    child.once("exit", (code) => reject(new Error(`${command} exited (${code}) before listening:\n${out}`)));
  });
  return { child, address };
}

/** A started child as a {@linkcode Receiver} at `url`. */
export function receiver(child: ChildProcess, url: string): Receiver {
  return {
    url,
    async peakRss() {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async cpuSeconds() {
      // utime and stime, fields 14 and 15 of /proc/<pid>/stat, in clock ticks (100 a second on Linux).
      const stat = await readFile(`/proc/${child.pid}/stat`, "utf8").catch(() => "");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return (Number(fields[11] ?? 0) + Number(fields[12] ?? 0)) / 100;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** A `ctvs` child process with only the OTLP listener, writing under `dir`. */
async function startCtvs(dir: string): Promise<Receiver> {
  const config = path.join(dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, otel: { listen: "127.0.0.1:0" }, sink: { type: "file", dir } }));
  // CTVS_BENCH_V8_FLAGS (e.g. `--max-old-space-size=128`) replaces ctvs's own V8 flags, to see what heap sizing costs.
  const flags = process.env.CTVS_BENCH_V8_FLAGS
    ? [`--v8-flags=${process.env.CTVS_BENCH_V8_FLAGS}`, ...DENO_RUN_FLAGS.slice(1)]
    : DENO_RUN_FLAGS;
  const args = ["run", "--allow-all", "--quiet", ...flags, path.join(ROOT, "main.ts"), "--config", config];
  const { child, address } = await startChild(
    process.execPath,
    [...args, "--pid-file", path.join(dir, "pid")],
    /OTLP listener bound on (\S+),/,
    { HOME: dir, NO_COLOR: "1" },
  );
  return receiver(child, `http://${address}`);
}

/** The Node floor receiver, writing under `dir`. */
async function startNodeFloor(dir: string): Promise<Receiver> {
  const script = path.join(ROOT, "scripts", "bench", "node_floor_receiver.mjs");
  const { child, address } = await startChild("node", [script, dir], /listening on (\d+)/, {});
  return receiver(child, `http://127.0.0.1:${address}`);
}

/** `SENDERS` concurrent senders posting `c`'s body in `encoding` to a fresh receiver. */
async function overHttp(start: (dir: string) => Promise<Receiver>, c: Captured, encoding: Encoding, dir: string) {
  const target = await start(dir);
  const url = `${target.url}${c.signal.path}`;
  const headers = { "content-type": encoding === "json" ? "application/json" : "application/x-protobuf" };
  const body = c.bodies[encoding];
  const send = async () => {
    // As the exporters send it: in one chunk of a chunked body (they pipe a Readable into the request), no length.
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(body);
        controller.close();
      },
    });
    const response = await fetch(url, { method: "POST", headers, body: stream });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`Cannot benchmark: the receiver answered ${response.status}`);
  };
  try {
    await sustained(SENDERS, WARMUP_SECONDS, send);
    const cpu = await target.cpuSeconds();
    const run = await sustained(SENDERS, SECONDS, send);
    const cpuSeconds = await target.cpuSeconds() - cpu;
    return { ...run, peakRssBytes: await target.peakRss(), cpuSeconds };
  } finally {
    await target.stop();
  }
}

/** One case: its label, its baseline's label, and how to run it once in a fresh directory. */
interface Case {
  label: string;
  baseline?: string;
  captured: Captured;
  encoding: Encoding;
  run(dir: string): Promise<Run>;
}

function cases(c: Captured): Case[] {
  const name = c.signal.name;
  const floor = `node:http floor (JSON.parse, a line per record), JSON ${name}, ${SENDERS} senders`;
  const list: Case[] = [
    { label: floor, captured: c, encoding: "json", run: (dir) => overHttp(startNodeFloor, c, "json", dir) },
    {
      label: `ctvs, JSON ${name}, ${SENDERS} senders`,
      baseline: floor,
      captured: c,
      encoding: "json",
      run: (dir) => overHttp(startCtvs, c, "json", dir),
    },
    {
      label: `ctvs, protobuf ${name}, ${SENDERS} senders`,
      baseline: floor,
      captured: c,
      encoding: "protobuf",
      run: (dir) => overHttp(startCtvs, c, "protobuf", dir),
    },
  ];
  if (c.signal === TRACES) {
    for (const encoding of ["json", "protobuf"] as const) {
      const label = `in-process decode+write (no HTTP), ${encoding === "json" ? "JSON" : "protobuf"} ${name}`;
      list.push({ label, baseline: floor, captured: c, encoding, run: (dir) => inProcess(c, encoding, dir) });
    }
  }
  return list;
}

/** Runs every case in a temporary directory (`CTVS_BENCH_DIR` chooses its parent) and removes it. */
export async function run(): Promise<BenchResult[]> {
  const only = process.env.CTVS_BENCH_SIGNALS?.split(",");
  const signals = [TRACES, LOGS, METRICS].filter((s) => only === undefined || only.includes(s.name));
  const all = (await Promise.all(signals.map(captured))).flatMap(cases);
  const root = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-otlp-"));
  const best = new Map<Case, Run>();
  const peak = new Map<Case, number>();
  try {
    for (let round = 0; round < REPEATS; round++) {
      for (const c of all) {
        // Each run writes hundreds of MB: it gets its own directory, removed as soon as it is done.
        const dir = await mkdtemp(path.join(root, "case-"));
        try {
          const run = await c.run(dir);
          peak.set(c, Math.max(peak.get(c) ?? 0, run.peakRssBytes));
          const before = best.get(c);
          if (!before || run.requests / run.seconds > before.requests / before.seconds) best.set(c, run);
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return all.map((c) => {
    const run = best.get(c)!;
    return {
      benchmark: "otlp",
      case: c.label,
      rows: run.requests * c.captured.rows,
      bytes: run.requests * c.captured.bodies[c.encoding].byteLength,
      seconds: run.seconds,
      peakRssBytes: peak.get(c)!,
      cpuSeconds: run.cpuSeconds,
      ...(c.baseline ? { baseline: c.baseline } : {}),
    };
  });
}
