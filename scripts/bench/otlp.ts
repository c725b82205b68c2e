/**
 * The OTLP receiver benchmark: 1,000-span trace batches (Claude Code-like `llm_request` spans, 12 attributes and an
 * event each), protobuf and JSON, posted to a real `ctvs` process by 1 and by 8 concurrent senders for a few seconds
 * each: spans/s sustained into JSONL (a 200 means the rows are written) and the receiver's peak RSS (`VmHWM`, read
 * from /proc: Linux only, else 0). Beside them, the baseline: the same bodies decoded, normalized and written
 * in-process, without HTTP. Each case runs `CTVS_BENCH_REPEATS` (3) times for `CTVS_BENCH_SECONDS` (4); the table
 * shows the fastest run and the highest peak RSS of all.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { create, toBinary } from "@bufbuild/protobuf";
import { encodeRequest } from "../../server/otlp/encode_request.ts";
import { exportSlots } from "../../server/otlp/export_handler.ts";
import { ExportTraceServiceRequestSchema } from "../../server/otlp/gen/opentelemetry/proto/collector/trace/v1/trace_service_pb.ts";
import type { Encoding } from "../../server/otlp/media.ts";
import { TRACES } from "../../server/otlp/signals.ts";
import { writeRows } from "../../server/otlp/write_rows.ts";
import { DENO_V8_FLAGS } from "../../platform/v8_flags.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

const SPANS = 1000;
const SECONDS = Number(process.env.CTVS_BENCH_SECONDS ?? 4);
const WARMUP_SECONDS = 1;
/** Runs of each case; the table keeps the fastest (the machine is shared: slower runs measure the neighbours). */
const REPEATS = Number(process.env.CTVS_BENCH_REPEATS ?? 3);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

/** One 1,000-span `ExportTraceServiceRequest`, as protobuf and as OTLP/JSON. */
function batch(): Record<Encoding, Uint8Array> {
  const str = (key: string, value: string) => ({ key, value: { value: { case: "stringValue" as const, value } } });
  const int = (key: string, value: number) => ({
    key,
    value: { value: { case: "intValue" as const, value: BigInt(value) } },
  });
  const id = (seed: number, n: number) => Uint8Array.from({ length: n }, (_, i) => (seed * 31 + i * 17) & 0xff);
  const t0 = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: SPANS }, (_, i) => ({
    traceId: id(i >> 4, 16),
    spanId: id(i, 8),
    parentSpanId: id(i - 1, 8),
    name: "claude_code.llm_request",
    kind: 3,
    startTimeUnixNano: t0 + BigInt(i) * 1_000_000n,
    endTimeUnixNano: t0 + BigInt(i) * 1_000_000n + 812_345_678n,
    attributes: [
      str("session.id", "9f8e7d6c-5b4a-4321-8fed-cba987654321"),
      str("gen_ai.system", "anthropic"),
      str("gen_ai.request.model", "claude-sonnet-4-5"),
      int("input_tokens", 1234 + i),
      int("output_tokens", 567),
      int("cache_read_tokens", 20_000),
      int("cache_creation_tokens", 0),
      int("ttft_ms", 840),
      str("request_id", `req_011CSomething${i}`),
      str("stop_reason", "end_turn"),
      int("attempt", 1),
      str("prompt.id", `a1b2c3d4-0000-4000-8000-${String(i).padStart(12, "0")}`),
    ],
    events: [{
      timeUnixNano: t0 + BigInt(i) * 1_000_000n + 840_000_000n,
      name: "first_token",
      attributes: [int("tokens", 1)],
    }],
    status: { code: 1 },
  }));
  const request = create(ExportTraceServiceRequestSchema, {
    resourceSpans: [{
      resource: { attributes: [str("service.name", "claude-code"), str("service.version", "2.1.200")] },
      scopeSpans: [{ scope: { name: "com.anthropic.claude_code", version: "2.1.200" }, spans }],
    }],
  });
  const protobuf = toBinary(ExportTraceServiceRequestSchema, request);
  // The JSON body is the OTLP/JSON of the same request, as a JSON exporter sends it (the raw line, its newline cut).
  const out = { raw: new JsonlBytes(), rows: new JsonlBytes() };
  encodeRequest(TRACES, "protobuf", protobuf, out);
  const json = out.raw.bytes().slice(0, -1);
  return { protobuf, json };
}

/** Runs `send` in `senders` loops until `seconds` pass; returns how many batches completed and the time taken. */
async function sustained(senders: number, seconds: number, send: () => Promise<void>) {
  const stop = performance.now() + seconds * 1000;
  let batches = 0;
  const start = performance.now();
  await Promise.all(Array.from({ length: senders }, async () => {
    while (performance.now() < stop) {
      await send();
      batches++;
    }
  }));
  return { batches, seconds: (performance.now() - start) / 1000 };
}

/** The baseline: decode, normalize and write each body in this process, one after the other, as a slot does. */
async function inProcess(encoding: Encoding, body: Uint8Array, dir: string): Promise<BenchResult> {
  const sink = new JsonlSink({ dir, gatewayId: "bench" });
  const slots = exportSlots(1);
  const once = () =>
    slots.run(async ({ raw, rows }) => {
      encodeRequest(TRACES, encoding, body, { raw, rows });
      await writeRows(sink, TRACES, rows.bytes(), raw.bytes());
      raw.clear();
      rows.clear();
    });
  await sustained(1, WARMUP_SECONDS, once);
  let run = { batches: 0, seconds: 0 };
  const { peakRssBytes } = await measure(async () => {
    run = await sustained(1, SECONDS, once);
  });
  await sink.close();
  return result(`baseline: decode+write in-process, ${name(encoding)}`, run, body, peakRssBytes);
}

/** A `ctvs` child process with only the OTLP listener, writing under `dir`. */
async function startReceiver(dir: string) {
  const config = path.join(dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, otel: { listen: "127.0.0.1:0" }, sink: { type: "file", dir } }));
  // CTVS_BENCH_V8_FLAGS (e.g. `--max-old-space-size=128`) replaces ctvs's own V8 flags, to see what heap sizing costs.
  const v8 = [process.env.CTVS_BENCH_V8_FLAGS ? `--v8-flags=${process.env.CTVS_BENCH_V8_FLAGS}` : DENO_V8_FLAGS];
  const args = ["run", "--allow-all", "--quiet", ...v8, path.join(ROOT, "main.ts"), "--config", config];
  const child = spawn(process.execPath, [...args, "--pid-file", path.join(dir, "pid")], {
    env: { ...process.env, HOME: dir, NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk;
      const match = /OTLP listener bound on (\S+),/.exec(out);
      if (match) resolve(`http://${match[1]}/v1/traces`);
    });
    child.once("exit", (code) => reject(new Error(`ctvs exited (${code}) before listening:\n${out}`)));
  });
  return {
    url,
    /** The child's peak resident set size so far. */
    async peakRss(): Promise<number> {
      const status = await readFile(`/proc/${child.pid}/status`, "utf8").catch(() => "");
      return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    },
    async stop() {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      process.kill(child.pid!, "SIGTERM");
      await exited;
    },
  };
}

/** `senders` concurrent senders posting `body` to a fresh `ctvs`. */
async function overHttp(encoding: Encoding, body: Uint8Array, senders: number, dir: string): Promise<BenchResult> {
  const receiver = await startReceiver(dir);
  const headers = { "content-type": encoding === "json" ? "application/json" : "application/x-protobuf" };
  const send = async () => {
    const response = await fetch(receiver.url, { method: "POST", headers, body: body as BodyInit });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`Cannot benchmark: the receiver answered ${response.status}`);
  };
  try {
    await sustained(senders, WARMUP_SECONDS, send);
    const run = await sustained(senders, SECONDS, send);
    const peak = await receiver.peakRss();
    const base = `baseline: decode+write in-process, ${name(encoding)}`;
    return {
      ...result(`HTTP ${name(encoding)}, ${senders} sender${senders > 1 ? "s" : ""}`, run, body, peak),
      baseline: base,
    };
  } finally {
    await receiver.stop();
  }
}

const name = (encoding: Encoding) => (encoding === "json" ? "JSON" : "protobuf");

function result(label: string, run: { batches: number; seconds: number }, body: Uint8Array, peak: number): BenchResult {
  return {
    benchmark: "otlp",
    case: label,
    rows: run.batches * SPANS,
    bytes: run.batches * body.byteLength,
    seconds: run.seconds,
    peakRssBytes: peak,
  };
}

/** Runs every case in a temporary directory (`CTVS_BENCH_DIR` chooses its parent) and removes it. */
export async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-otlp-"));
  const bodies = batch();
  const results: BenchResult[] = [];
  try {
    // Each run writes hundreds of MB: it gets its own directory, removed as soon as it is done. Of the runs of a
    // case, the fastest is kept, with the highest peak RSS seen in any of them.
    const inFreshDir = async (work: (dir: string) => Promise<BenchResult>) => {
      let best: BenchResult | undefined;
      let peak = 0;
      for (let i = 0; i < REPEATS; i++) {
        const dir = await mkdtemp(path.join(root, "case-"));
        try {
          const result = await work(dir);
          peak = Math.max(peak, result.peakRssBytes);
          if (!best || result.rows / result.seconds > best.rows / best.seconds) best = result;
        } finally {
          await rm(dir, { recursive: true, force: true });
        }
      }
      results.push({ ...best!, peakRssBytes: peak });
    };
    for (const encoding of ["protobuf", "json"] as const) {
      await inFreshDir((dir) => inProcess(encoding, bodies[encoding], dir));
      for (const senders of [1, 8]) await inFreshDir((dir) => overHttp(encoding, bodies[encoding], senders, dir));
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
  return results;
}
