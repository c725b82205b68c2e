/**
 * The proxy benchmark, against a local upstream in one run: added latency (p50, p99) of small non-streaming and
 * streaming requests, direct vs through the proxy; throughput at concurrency 50 direct, through the proxy and
 * through a plain `node:http` pipe proxy (the floor), both in this process (so every request costs the same load
 * generator and upstream on one thread) and, when `node` is on the PATH, each proxy in a process of its own (`ctvs`
 * vs the same pipe proxy run by Node); added delay per SSE event; and the proxy's peak RSS while a slow client reads
 * a large stream (`ctvs` run as a child so its RSS is its own; `CTVS_BENCH_PROXY_BYTES` sets the size, default
 * 1 GiB). Throughput cases run interleaved, round after round, and report their median round, so a burst of load
 * from elsewhere on the machine does not land on one case only. Requests are sent with ctvs's HTTP/1.1 client, a
 * load generator cheap enough (like wrk) that the proxies are what limits throughput; SSE delay uses fetch.
 *
 * @module
 */
import { spawn } from "node:child_process";
import http from "node:http";
import { readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import process from "node:process";
import { mkdtemp } from "node:fs/promises";
import { serve } from "../../platform/runtime.ts";
import { proxyApp } from "../../server/proxy/app.ts";
import { Recorder } from "../../server/proxy/recorder.ts";
import { Http1Client } from "../../server/proxy/upstream/http1_client.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import { startCtvs } from "../../tests/helpers/child.ts";
import type { BenchResult } from "./_table.ts";

const enc = new TextEncoder();
const SMALL_JSON = JSON.stringify({
  id: "msg_1",
  content: [{ type: "text", text: "hi" }],
  usage: { output_tokens: 1 },
});

/** The local upstream: `/v1/json` small JSON, `/v1/sse?n=&gap=` SSE with timestamps, `/v1/big?bytes=` a long stream. */
function upstreamHandler(request: Request): Response {
  const url = new URL(request.url);
  if (url.pathname === "/v1/json") return new Response(SMALL_JSON, { headers: { "content-type": "application/json" } });
  const sse = { "content-type": "text/event-stream" };
  if (url.pathname === "/v1/sse") {
    const n = Number(url.searchParams.get("n") ?? 5);
    const gap = Number(url.searchParams.get("gap") ?? 0);
    let i = 0;
    return new Response(
      new ReadableStream({
        async pull(controller) {
          if (i === n) return controller.close();
          if (gap) await new Promise((resolve) => setTimeout(resolve, gap));
          const data = JSON.stringify({
            type: "content_block_delta",
            i: i++,
            sent: performance.timeOrigin + performance.now(),
          });
          controller.enqueue(enc.encode(`event: content_block_delta\ndata: ${data}\n\n`));
        },
      }),
      { headers: sse },
    );
  }
  let left = Number(url.searchParams.get("bytes") ?? 1e6);
  const event = enc.encode(`event: content_block_delta\ndata: ${JSON.stringify({ text: "x".repeat(16_000) })}\n\n`);
  return new Response(
    new ReadableStream({
      pull(controller) {
        if (left <= 0) return controller.close();
        left -= event.byteLength;
        controller.enqueue(event);
      },
    }, { highWaterMark: 0 }),
    { headers: sse },
  );
}

/** A plain pipe proxy with node:http: the floor a recording proxy is compared with. */
function pipeProxy(upstreamPort: number): Promise<{ url: string; close(): void }> {
  // Also run by Node as a script of its own (pipeProxyOnNode): keep it self-contained.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    delete headers.host;
    const up = http.request({
      host: "127.0.0.1",
      port: upstreamPort,
      method: req.method,
      path: req.url,
      headers,
      agent,
    });
    up.on("response", (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      resolve({ url: `http://127.0.0.1:${port}`, close: () => (server.closeAllConnections(), server.close()) });
    })
  );
}

/** The same pipe proxy run by Node in a process of its own; undefined when there is no `node` to run. */
async function pipeProxyOnNode(upstreamPort: number): Promise<{ url: string; close(): void } | undefined> {
  const script = `const http = require("node:http");
${pipeProxy.toString().replace(/^async function|^function/, "function")}
pipeProxy(${upstreamPort}).then(({ url }) => console.log("listening " + url));`;
  const child = spawn("node", ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  return await new Promise((resolve) => {
    child.on("error", () => resolve(undefined));
    let out = "";
    child.stdout!.on("data", (data) => {
      out += data;
      const url = /listening (\S+)/.exec(out)?.[1];
      if (url) resolve({ url, close: () => child.kill() });
    });
  });
}

/** A `ctvs` process proxying to `upstreamUrl`, as it runs for real. */
async function ctvsProcess(upstreamUrl: string, root: string, name: string) {
  const config = path.join(root, `${name}.json`);
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "bench",
      proxy: { listen: "127.0.0.1:0", upstreams: [{ name: "up", base_url: upstreamUrl, match: { path_prefix: "/" } }] },
      sink: { type: "file", dir: path.join(root, `${name}-data`) },
    }),
  );
  const child = startCtvs(["--config", config], { env: { HOME: root } });
  const line = await child.waitFor(/^Proxy listener bound on/, 30_000);
  return { child, url: `http://${/bound on (\S+),/.exec(line)![1]}` };
}

/**
 * The load generator's client: ctvs's own HTTP/1.1 client, keep-alive, a fixed POST. It costs about a third of what
 * `fetch` does per request, so (like wrk) it leaves the proxies, not the load generator, as what limits throughput;
 * both proxies get exactly the same requests from it.
 */
const load = new Http1Client();
const REQUEST_BODY = enc.encode('{"model":"m"}');
const REQUEST_HEADERS: [string, string][] = [["content-type", "application/json"]];
const neverAborted = new AbortController().signal;
const origins = new Map<string, URL>();

async function oneRequest(url: string): Promise<number> {
  const started = performance.now();
  const at = url.indexOf("/", url.indexOf("//") + 2);
  const base = url.slice(0, at);
  let origin = origins.get(base);
  if (!origin) origins.set(base, origin = new URL(base));
  const response = await load.request({
    origin,
    path: url.slice(at),
    method: "POST",
    headers: REQUEST_HEADERS,
    body: REQUEST_BODY,
    signal: neverAborted,
  });
  await response.body?.bytes();
  return performance.now() - started;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Sequential requests: latency percentiles. */
async function latency(url: string, count: number): Promise<{ p50: number; p99: number; seconds: number }> {
  for (let i = 0; i < 50; i++) await oneRequest(url); // warm up connections and the JIT
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < count; i++) times.push(await oneRequest(url));
  return { p50: percentile(times, 50), p99: percentile(times, 99), seconds: (performance.now() - started) / 1000 };
}

/** `total` requests over `concurrency` workers. */
async function throughput(url: string, total: number, concurrency: number): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < total) await oneRequest(url);
  }));
  return (performance.now() - started) / 1000;
}

/**
 * Throughput of each of `targets` over `rounds` interleaved rounds (the order rotates each round): the median
 * round's seconds per target.
 */
async function throughputRounds(targets: string[], total: number, rounds: number): Promise<number[]> {
  const seconds: number[][] = targets.map(() => []);
  for (const url of targets) await throughput(url, 1000, 50); // warm up connections and the JIT
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const i = (k + round) % targets.length;
      seconds[i].push(await throughput(targets[i], total, 50));
    }
  }
  return seconds.map((s) => percentile(s, 50));
}

/** Mean delay from the upstream writing an SSE event to the client parsing it. */
async function eventDelay(url: string, events: number): Promise<{ p50: number; seconds: number }> {
  const started = performance.now();
  const response = await fetch(`${url}?n=${events}&gap=5`, { method: "POST" });
  const delays: number[] = [];
  let buffer = "";
  const decoder = new TextDecoder();
  for await (const chunk of response.body!) {
    buffer += decoder.decode(chunk, { stream: true });
    const now = performance.timeOrigin + performance.now();
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const data = /data: (.*)/.exec(buffer.slice(0, end))![1];
      delays.push(now - JSON.parse(data).sent);
      buffer = buffer.slice(end + 2);
    }
  }
  return { p50: percentile(delays, 50), seconds: (performance.now() - started) / 1000 };
}

/** Peak RSS (VmHWM) of a `ctvs` proxy while a slow client reads `bytes` of SSE through it. */
async function slowClientRss(
  upstreamUrl: string,
  root: string,
  bytes: number,
): Promise<{ rss: number; seconds: number }> {
  const { child, url } = await ctvsProcess(upstreamUrl, root, "slow");
  const started = performance.now();
  const response = await fetch(`${url}/v1/big?bytes=${bytes}`, { method: "POST" });
  let n = 0;
  for await (const _chunk of response.body!) {
    // A slow reader: a pause every 64 chunks.
    if (++n % 64 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const seconds = (performance.now() - started) / 1000;
  const status = await readFile(`/proc/${child.process.pid}/status`, "utf8").catch(() => "");
  const rss = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  child.kill("SIGTERM");
  await child.exited;
  return { rss, seconds };
}

/** Runs every proxy case. */
export async function run(): Promise<BenchResult[]> {
  const root = await mkdtemp(path.join(process.env.CTVS_BENCH_DIR ?? tmpdir(), "ctvs-bench-proxy-"));
  const upstream = await serve({ hostname: "127.0.0.1", port: 0, handler: upstreamHandler });
  const sink = new JsonlSink({ dir: root, gatewayId: "bench" });
  const recorder = new Recorder(sink, { log: (line) => console.error(line) });
  const base = `http://127.0.0.1:${upstream.port}`;
  const app = proxyApp({
    config: { listen: "127.0.0.1:0", upstreams: [{ name: "up", base_url: base, match: { path_prefix: "/" } }] },
    recorder,
  });
  const proxy = await serve({ hostname: "127.0.0.1", port: 0, handler: app.fetch });
  const pipe = await pipeProxy(upstream.port);
  const proxied = `http://127.0.0.1:${proxy.port}`;
  const results: BenchResult[] = [];
  const add = (c: string, rows: number, seconds: number, baseline?: string, peakRssBytes = process.memoryUsage.rss()) =>
    results.push({ benchmark: "proxy", case: c, rows, bytes: 0, seconds, peakRssBytes, baseline });
  try {
    for (const [kind, suffix] of [["small JSON", "/v1/json"], ["SSE, 5 events", "/v1/sse?n=5"]]) {
      const d = await latency(base + suffix, 500);
      const p = await latency(proxied + suffix, 500);
      const directCase = `${kind} sequential, direct: p50 ${ms(d.p50)}, p99 ${ms(d.p99)}`;
      add(directCase, 500, d.seconds);
      add(
        `${kind} sequential, proxy: added p50 ${ms(p.p50 - d.p50)}, p99 ${ms(p.p99 - d.p99)}`,
        500,
        p.seconds,
        directCase,
      );
    }
    const total = 5000;
    const rounds = 5;
    const median = `median of ${rounds} interleaved rounds`;
    const [direct, floor, ours] = await throughputRounds(
      [`${base}/v1/json`, `${pipe.url}/v1/json`, `${proxied}/v1/json`],
      total,
      rounds,
    );
    const directCase = `small JSON, concurrency 50, direct (${median})`;
    const floorCase = "small JSON, concurrency 50, node:http pipe proxy in this process";
    add(directCase, total, direct);
    add(floorCase, total, floor, directCase);
    add("small JSON, concurrency 50, ctvs proxy in this process (vs pipe)", total, ours, floorCase);
    const nodePipe = await pipeProxyOnNode(upstream.port);
    if (nodePipe) {
      const own = await ctvsProcess(base, root, "throughput");
      try {
        const [pipeSeconds, ctvsSeconds] = await throughputRounds(
          [`${nodePipe.url}/v1/json`, `${own.url}/v1/json`],
          total,
          rounds,
        );
        const nodeCase = "small JSON, concurrency 50, node:http pipe proxy run by Node, own process";
        add(nodeCase, total, pipeSeconds, directCase);
        add("small JSON, concurrency 50, ctvs process (vs Node pipe process)", total, ctvsSeconds, nodeCase);
      } finally {
        nodePipe.close();
        own.child.kill("SIGTERM");
        await own.child.exited;
      }
    }
    const de = await eventDelay(`${base}/v1/sse`, 200);
    const pe = await eventDelay(`${proxied}/v1/sse`, 200);
    add(`SSE event delay, direct: p50 ${ms(de.p50)}`, 200, de.seconds);
    add(`SSE event delay, proxy: added p50 ${ms(pe.p50 - de.p50)} per event`, 200, pe.seconds);
    const bytes = Number(process.env.CTVS_BENCH_PROXY_BYTES ?? 2 ** 30);
    const slow = await slowClientRss(base, root, bytes);
    results.push({
      benchmark: "proxy",
      case: `slow client reads ${Math.round(bytes / 2 ** 20)} MiB of SSE through ctvs (peak RSS of the ctvs process)`,
      rows: 1,
      bytes,
      seconds: slow.seconds,
      peakRssBytes: slow.rss,
    });
  } finally {
    load.close();
    pipe.close();
    await proxy.shutdown();
    await upstream.shutdown();
    await recorder.flush();
    await sink.close();
    await rm(root, { recursive: true, force: true });
  }
  return results;
}
