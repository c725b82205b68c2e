/**
 * The fleet benchmark (`deno task bench fleet`), fed what users send (the OTLP/protobuf trace bodies captured from the
 * real OpenTelemetry exporters, 512 spans a request, `tests/fixtures/otlp/`):
 *
 * - **fleet path**: three gateway processes, three senders each, shipping through their outboxes to a Central process
 *   into its sink; rows/s counts the rows the gateways acknowledged over the time until Central has them all. The
 *   baseline is a standalone collector in the same run, sent the same bodies by nine senders.
 * - **outbox cost per row**: eight concurrent writers appending the same rows to a gateway's outbox (fsync before
 *   the append resolves, group commit) against the standalone sink (`fsync: "rotate"`, the default) and the sink
 *   with `fsync: "always"`, in this process, so the CPU column is the write path's own.
 * - **Central at capacity**: 48 senders (one gateway id each) posting 1 MiB NDJSON batches to a Central process with
 *   its default limits until it answers 429/503: its peak RSS (VmHWM) there, and the share of batches refused.
 * - **backlog drain**: three gateways' outboxes holding 1 M rows in all (1000-row batches) when Central starts: the
 *   time until Central has every row.
 *
 * `CTVS_BENCH_SECONDS` (8) sets how long the senders send; `CTVS_BENCH_BACKLOG_ROWS` (1000000) the backlog. Linux
 * only for the RSS figures (`/proc`).
 *
 * @module
 */
import { mkdir, mkdtemp, open, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { DENO_V8_FLAGS } from "../../platform/v8_flags.ts";
import { BootstrapTokens } from "../../server/central/bootstrap_tokens.ts";
import { ConfigRegistry } from "../../server/central/config_registry.ts";
import { JwtIssuer } from "../../server/jwt.ts";
import { encodeRequest } from "../../server/otlp/encode_request.ts";
import { TRACES } from "../../server/otlp/signals.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import { Outbox } from "../../storage/outbox/outbox.ts";
import { newBatchId } from "../../storage/outbox/batch_name.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";
import { type Captured, captured, type Receiver, receiver, startChild, sustained } from "./otlp.ts";

const SECONDS = Number(process.env.CTVS_BENCH_SECONDS ?? 8);
const BACKLOG_ROWS = Number(process.env.CTVS_BENCH_BACKLOG_ROWS ?? 1_000_000);
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const SECRET = "bench-secret-bench-secret-bench-secret-0";
const GATEWAYS = 3;
const SENDERS_PER_GATEWAY = 3;

/** Runs every case under a temporary directory (`CTVS_BENCH_DIR` chooses its parent) and removes it. */
export async function run(): Promise<BenchResult[]> {
  const traces = await captured(TRACES);
  const root = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-fleet-"));
  try {
    const results: BenchResult[] = [];
    results.push(await standalone(traces, await sub(root, "standalone")));
    results.push(await fleetPath(traces, await sub(root, "fleet")));
    results.push(...await outboxCost(traces, await sub(root, "outbox")));
    results.push(await atCapacity(traces, await sub(root, "capacity")));
    results.push(await backlogDrain(traces, await sub(root, "backlog")));
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

const STANDALONE = `standalone ctvs, protobuf traces, ${GATEWAYS * SENDERS_PER_GATEWAY} senders`;
const SINK_ROTATE = "JsonlSink append, fsync rotate (standalone default), 8 writers";

async function standalone(c: Captured, dir: string): Promise<BenchResult> {
  const config = path.join(dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, otel: { listen: "127.0.0.1:0" }, sink: { type: "file", dir } }));
  const target = await ctvsChild(
    dir,
    ["--config", config, "--pid-file", path.join(dir, "pid")],
    /OTLP listener bound on (\S+),/,
  );
  try {
    const send = poster(`${target.url}/v1/traces`, c);
    await sustained(GATEWAYS * SENDERS_PER_GATEWAY, 1, send);
    const cpu = await target.cpuSeconds();
    const run = await sustained(GATEWAYS * SENDERS_PER_GATEWAY, SECONDS, send);
    return {
      benchmark: "fleet",
      case: STANDALONE,
      rows: run.requests * c.rows,
      bytes: run.requests * c.bodies.protobuf.byteLength,
      seconds: run.seconds,
      peakRssBytes: await target.peakRss(),
      cpuSeconds: await target.cpuSeconds() - cpu,
    };
  } finally {
    await target.stop();
  }
}

async function fleetPath(c: Captured, dir: string): Promise<BenchResult> {
  const central = await startCentral(dir);
  const gateways: Receiver[] = [];
  try {
    for (let i = 1; i <= GATEWAYS; i++) gateways.push(await startGateway(dir, `gw-${i}`, central.url));
    const sends = gateways.map((g) => poster(`${g.url}/v1/traces`, c));
    // Warm-up: a second of sending, all of it in Central before the measured run starts.
    const warm = await Promise.all(sends.map((send) => sustained(SENDERS_PER_GATEWAY, 1, send)));
    const before = warm.reduce((sum, r) => sum + r.requests, 0) * c.rows;
    await waitForRows(central.sinkDir, before);
    const started = performance.now();
    const runs = await Promise.all(sends.map((send) => sustained(SENDERS_PER_GATEWAY, SECONDS, send)));
    const acked = runs.reduce((sum, r) => sum + r.requests, 0) * c.rows;
    await waitForRows(central.sinkDir, before + acked);
    const seconds = (performance.now() - started) / 1000;
    return {
      benchmark: "fleet",
      case: `${GATEWAYS} gateways (${SENDERS_PER_GATEWAY} senders each) -> Central -> sink, until all in Central`,
      rows: acked,
      bytes: runs.reduce((sum, r) => sum + r.requests, 0) * c.bodies.protobuf.byteLength,
      seconds,
      peakRssBytes: await central.process.peakRss(),
      baseline: STANDALONE,
    };
  } finally {
    for (const g of gateways) await g.stop();
    await central.process.stop();
  }
}

async function outboxCost(c: Captured, dir: string): Promise<BenchResult[]> {
  const rows = new JsonlBytes();
  encodeRequest(TRACES, "protobuf", c.bodies.protobuf, { rows });
  const bytes = rows.bytes().slice();
  const writers = 8;
  const results: BenchResult[] = [];
  const cases: [string, () => Promise<{ append: () => Promise<void>; close: () => Promise<void> }>][] = [
    [SINK_ROTATE, async () => {
      const sink = new JsonlSink({ dir: await sub(dir, "rotate"), gatewayId: "bench" });
      return { append: () => sink.appendBytes("traces", bytes), close: () => sink.close() };
    }],
    ["JsonlSink append, fsync always, 8 writers", async () => {
      const sink = new JsonlSink({ dir: await sub(dir, "always"), gatewayId: "bench", fsync: "always" });
      return { append: () => sink.appendBytes("traces", bytes), close: () => sink.close() };
    }],
    ["gateway Outbox append (fsync before ack, group commit, 1000-row batches), 8 writers", async () => {
      const outbox = await Outbox.open(await sub(dir, "outbox"));
      return { append: () => outbox.appendBytes("traces", bytes), close: () => outbox.close() };
    }],
  ];
  for (const [label, open] of cases) {
    const target = await open();
    await sustained(writers, 1, target.append);
    let run = { requests: 0, seconds: 0 };
    const cpu = process.cpuUsage();
    const { peakRssBytes } = await measure(async () => {
      run = await sustained(writers, Math.min(SECONDS, 4), target.append);
    });
    const used = process.cpuUsage(cpu);
    await target.close();
    results.push({
      benchmark: "fleet",
      case: label,
      rows: run.requests * c.rows,
      bytes: run.requests * bytes.byteLength,
      seconds: run.seconds,
      peakRssBytes,
      cpuSeconds: (used.user + used.system) / 1e6,
      ...(label === SINK_ROTATE ? {} : { baseline: SINK_ROTATE }),
    });
  }
  return results;
}

async function atCapacity(c: Captured, dir: string): Promise<BenchResult> {
  const central = await startCentral(dir);
  const senders = 48;
  const issuer = new JwtIssuer(SECRET);
  const registry = new ConfigRegistry(central.dataDir);
  const now = Math.floor(Date.now() / 1000);
  const batch = ndjsonBatch(c, 1024 * 1024);
  const counts = { accepted: 0, refused: 0, rows: 0 };
  try {
    const jwts: string[] = [];
    for (let i = 0; i < senders; i++) {
      await registry.set(`cap-${i}`, gatewayConfig(central.url, path.join(dir, `cap-${i}`)));
      jwts.push(await issuer.sign({ sub: `cap-${i}`, iat: now, exp: now + 3600 }));
    }
    let next = 0;
    const send = async () => {
      const i = next++ % senders;
      const response = await fetch(`${central.url}/v1/ingest/traces`, {
        method: "POST",
        headers: { authorization: `Bearer ${jwts[i]}`, "content-type": "application/x-ndjson" },
        body: batch.text,
      });
      await response.arrayBuffer();
      if (response.status === 202) {
        counts.accepted++;
        counts.rows += batch.rows;
      } else if (response.status === 429 || response.status === 503) counts.refused++;
      else throw new Error(`Cannot benchmark: Central answered ${response.status}`);
    };
    const run = await sustained(senders, SECONDS, send);
    const share = Math.round(counts.refused / (counts.accepted + counts.refused) * 100);
    return {
      benchmark: "fleet",
      case: `Central at its backpressure limit: ${senders} senders of 1 MiB batches (${share}% answered 429/503)`,
      rows: counts.rows,
      bytes: counts.accepted * batch.text.length,
      seconds: run.seconds,
      peakRssBytes: await central.process.peakRss(),
      cpuSeconds: await central.process.cpuSeconds(),
    };
  } finally {
    await central.process.stop();
  }
}

async function backlogDrain(c: Captured, dir: string): Promise<BenchResult> {
  // Identities first, with Central up; then everyone stops and the outboxes are filled as a long outage leaves them.
  let central = await startCentral(dir);
  const ids = Array.from({ length: GATEWAYS }, (_, i) => `gw-${i + 1}`);
  for (const id of ids) await (await startGateway(dir, id, central.url)).stop();
  await central.process.stop();
  const batch = ndjsonBatch(c, Infinity, 1000);
  const perGateway = Math.ceil(BACKLOG_ROWS / GATEWAYS / batch.rows);
  for (const id of ids) {
    const outbox = path.join(dir, id, "outbox", "traces");
    await mkdir(outbox, { recursive: true });
    for (let i = 0; i < perGateway; i++) await writeFile(path.join(outbox, `${newBatchId()}.ndjson`), batch.text);
  }
  const total = perGateway * GATEWAYS * batch.rows;

  const started = performance.now();
  central = await startCentral(dir);
  const gateways: Receiver[] = [];
  try {
    for (const id of ids) gateways.push(await startGateway(dir, id, central.url));
    await waitForRows(central.sinkDir, total);
    const seconds = (performance.now() - started) / 1000;
    return {
      benchmark: "fleet",
      case: `restarted Central drains a ${(total / 1e6).toFixed(1)} M-row backlog from ${GATEWAYS} gateways`,
      rows: total,
      bytes: perGateway * GATEWAYS * batch.text.length,
      seconds,
      peakRssBytes: await central.process.peakRss(),
      cpuSeconds: await central.process.cpuSeconds(),
    };
  } finally {
    for (const g of gateways) await g.stop();
    await central.process.stop();
  }
}

/** A Central process on a free port, with its data under `dir`. */
async function startCentral(dir: string) {
  const dataDir = path.join(dir, "central");
  const config = path.join(dir, "central.json");
  const store = path.join(dataDir, "bootstrap.json");
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      role: "server",
      server: {
        control_plane_listen: "127.0.0.1:0",
        identity_issuer: { secret: SECRET, bootstrap_store_path: store },
        data_dir: dataDir,
      },
    }),
  );
  const child = await ctvsChild(dir, ["--config", config], /Control-plane listener bound on (\S+)/);
  return { process: child, url: child.url, dataDir, sinkDir: path.join(dataDir, "ingested") };
}

/** A gateway process `id` (registered, with a bootstrap token unless it has an identity), OTLP on a free port. */
async function startGateway(dir: string, id: string, centralUrl: string): Promise<Receiver> {
  const home = path.join(dir, id);
  const dataDir = path.join(dir, "central");
  const config = gatewayConfig(centralUrl, home);
  await new ConfigRegistry(dataDir).set(id, config);
  const hasIdentity = await stat(path.join(home, "identity.json")).then(() => true, () => false);
  if (!hasIdentity) {
    const { token } = await new BootstrapTokens(path.join(dataDir, "bootstrap.json")).issue(id, 3600);
    config.central_server.identity = { ...config.central_server.identity, bootstrap_token: token } as never;
  }
  const file = path.join(home, "gateway.json");
  await mkdir(home, { recursive: true });
  await writeFile(file, JSON.stringify(config));
  return await ctvsChild(home, ["--config", file], /OTLP listener bound on (\S+),/);
}

function gatewayConfig(centralUrl: string, home: string) {
  return {
    version: 1,
    role: "gateway",
    central_server: {
      url: centralUrl,
      identity: { persisted_path: path.join(home, "identity.json") } as Record<string, string>,
      poll_interval_seconds: 3600,
      outbox_dir: path.join(home, "outbox"),
    },
    otel: { listen: "127.0.0.1:0" },
  };
}

/** `ctvs <args>` with HOME at `home`, ready when a line matches `ready` (its group: the address). */
async function ctvsChild(home: string, args: string[], ready: RegExp): Promise<Receiver> {
  const full = ["run", "--allow-all", "--quiet", DENO_V8_FLAGS, path.join(ROOT, "main.ts"), ...args];
  const { child, address } = await startChild(process.execPath, full, ready, { HOME: home, NO_COLOR: "1" });
  return receiver(child, `http://${address}`);
}

/** A sender posting `c`'s protobuf body to `url`, failing on anything but 200. */
function poster(url: string, c: Captured): () => Promise<void> {
  return async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/x-protobuf" },
      body: c.bodies.protobuf as BodyInit,
    });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`Cannot benchmark: ${url} answered ${response.status}`);
  };
}

/** Span rows of `c` repeated into one NDJSON batch of at most `maxBytes` or `maxRows`. */
function ndjsonBatch(c: Captured, maxBytes: number, maxRows = Infinity): { text: string; rows: number } {
  const rows = new JsonlBytes();
  encodeRequest(TRACES, "protobuf", c.bodies.protobuf, { rows });
  const lines = new TextDecoder().decode(rows.bytes()).split("\n").filter(Boolean);
  const out: string[] = [];
  let size = 0;
  for (let i = 0; out.length < maxRows; i++) {
    const line = lines[i % lines.length];
    if (size + line.length + 1 > maxBytes) break;
    out.push(line);
    size += line.length + 1;
  }
  return { text: out.join("\n") + "\n", rows: out.length };
}

/** Rows in every day file under `sinkDir`, counted incrementally (the files only grow). */
const counted = new Map<string, { offset: number; lines: number }>();
async function countRows(sinkDir: string): Promise<number> {
  let total = 0;
  for (const gateway of await readdir(sinkDir).catch(() => [] as string[])) {
    if (gateway.startsWith(".")) continue;
    for (const signal of await readdir(path.join(sinkDir, gateway)).catch(() => [] as string[])) {
      const signalDir = path.join(sinkDir, gateway, signal);
      for (const name of await readdir(signalDir).catch(() => [] as string[])) {
        const file = path.join(signalDir, name);
        const state = counted.get(file) ?? { offset: 0, lines: 0 };
        const handle = await open(file, "r");
        try {
          const buffer = new Uint8Array(4 * 1024 * 1024);
          for (;;) {
            const { bytesRead } = await handle.read(buffer, 0, buffer.length, state.offset);
            if (bytesRead === 0) break;
            for (let i = buffer.indexOf(10); i !== -1 && i < bytesRead; i = buffer.indexOf(10, i + 1)) state.lines++;
            state.offset += bytesRead;
          }
        } finally {
          await handle.close();
        }
        counted.set(file, state);
        total += state.lines;
      }
    }
  }
  return total;
}

/** Waits until `sinkDir` holds at least `rows` rows (up to 5 minutes); returns the count. */
async function waitForRows(sinkDir: string, rows: number): Promise<number> {
  const deadline = Date.now() + 300_000;
  for (;;) {
    const count = await countRows(sinkDir);
    if (count >= rows) return count;
    if (Date.now() > deadline) {
      throw new Error(`Cannot benchmark: Central has ${count} of ${rows} rows after 5 minutes`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function sub(root: string, name: string): Promise<string> {
  const dir = path.join(root, name);
  await mkdir(dir, { recursive: true });
  return dir;
}
