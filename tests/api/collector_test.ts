/**
 * The programmatic API in process: a real OTLP exporter and a real Anthropic SDK client talk to an embedded
 * collector; rows reach `onRow`, the sink files, or both; the hook's errors and slowness reach the OTLP client as a
 * 503 and as backpressure; bad options are TypeErrors naming the option.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { test } from "node:test";
import Anthropic from "@anthropic-ai/sdk";
import { SeverityNumber } from "@opentelemetry/api";
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { Collector, type Row, type RowSignal } from "../../mod.ts";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { tempDir } from "../helpers/child.ts";

/** Sends `bodies` as log records through the real OTLP/protobuf exporter; resolves with the export result codes. */
async function sendLogs(otel: string, bodies: string[]): Promise<number[]> {
  const codes: number[] = [];
  const exporter = new OTLPLogExporter({ url: `${otel}/v1/logs` });
  const recorded = {
    export: (items: never, done: (result: { code: number }) => void) =>
      exporter.export(items, (result) => {
        codes.push(result.code);
        done(result);
      }),
    shutdown: () => exporter.shutdown(),
    forceFlush: () => exporter.forceFlush(),
  };
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter: recorded as never })] });
  for (const body of bodies) provider.getLogger("api-test").emit({ body, severityNumber: SeverityNumber.INFO });
  await provider.forceFlush();
  await provider.shutdown();
  return codes;
}

/** POSTs one OTLP/JSON log record; resolves with the status. */
async function postLog(otel: string, body: string): Promise<number> {
  const response = await fetch(`${otel}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: body } }] }] }] }),
  });
  await response.body?.cancel();
  return response.status;
}

test("Collector with onRow only: OTLP rows and proxy exchanges reach the hook, no file is written", async () => {
  const fake = await startFakeUpstream();
  const rows: [RowSignal, Row][] = [];
  const lines: string[] = [];
  const collector = new Collector({
    otel: {},
    proxy: { upstreams: [{ name: "fake", base_url: fake.url, match: { path_prefix: "/v1" } }] },
    onRow: (signal, row) => void rows.push([signal, row]),
    gateway_id: "embedded",
    log: (line) => lines.push(line),
  });
  try {
    const urls = await collector.start();
    assert.match(urls.otel!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(urls.proxy!, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(collector.urls, urls);
    assert.equal(collector.gatewayId, "embedded");
    assert.deepEqual(lines, [
      `OTLP listener bound on ${urls.otel!.slice(7)}, writing to onRow`,
      `Proxy listener bound on ${urls.proxy!.slice(7)}, recording to onRow`,
    ]);

    assert.deepEqual(await sendLogs(urls.otel!, ["one", "two"]), [0, 0]);
    const client = new Anthropic({ baseURL: urls.proxy, apiKey: "sk-test", maxRetries: 0 });
    const message = await client.messages.create({
      model: "claude-x",
      max_tokens: 16,
      messages: [{ role: "user", content: "hi" }],
    });
    assert.equal(message.type, "message");
  } finally {
    await collector.stop();
    await fake.close();
  }
  assert.deepEqual(rows.filter(([s]) => s === "logs").map(([, row]) => row.body), ["one", "two"]);
  const exchanges = rows.filter(([s, row]) => s === "proxy" && row.kind === "exchange").map(([, row]) => row);
  assert.equal(exchanges.length, 1);
  assert.equal(exchanges[0].upstream, "fake");
  assert.equal((exchanges[0].response as { status: number }).status, 200);
  assert.ok(!rows.some(([signal]) => String(signal).startsWith("raw")), "raw envelopes are not handed over");
  // Without a sink the placeholder directory name is never created, here or anywhere.
  await assert.rejects(fs.stat("<onRow only>"), { code: "ENOENT" });
});

test("Collector with a sink and onRow: the hook gets exactly the rows the files hold", async () => {
  const dir = await tempDir();
  const hooked: Row[] = [];
  const collector = new Collector({
    otel: { listen: "127.0.0.1:0" },
    sink: { dir: dir.dir, fsync: "always" },
    onRow: (signal, row) => void (signal === "logs" && hooked.push(row)),
    gateway_id: "gw",
  });
  try {
    const { otel } = await collector.start();
    assert.deepEqual(await sendLogs(otel!, ["a", "b", "c"]), [0, 0, 0]);
  } finally {
    await collector.stop();
  }
  const file = path.join(dir.dir, "gw", "logs", `${new Date().toISOString().slice(0, 10)}.jsonl`);
  const written = (await fs.readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(hooked, written);
  assert.deepEqual(written.map((row) => row.body), ["a", "b", "c"]);
  const raw = await fs.readdir(path.join(dir.dir, "gw", "raw", "logs"));
  assert.equal(raw.length, 1, "raw envelopes still go to the files");
  await dir.remove();
});

test("onRow's failure is a 503 the exporter retries; its slowness holds the OTLP answer", async () => {
  let fail = true;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => release = resolve);
  const seen: string[] = [];
  const collector = new Collector({
    otel: {},
    onRow: async (_signal, row) => {
      if (row.body === "boom" && fail) throw new Error("downstream is down");
      if (row.body === "slow") await gate;
      seen.push(String(row.body));
    },
  });
  try {
    const { otel } = await collector.start();
    assert.equal(await postLog(otel!, "boom"), 503);
    fail = false;
    assert.equal(await postLog(otel!, "boom"), 200);
    let answered = false;
    const slow = postLog(otel!, "slow").then((status) => {
      answered = true;
      return status;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(answered, false, "the answer waits for the hook");
    release();
    assert.equal(await slow, 200);
  } finally {
    await collector.stop();
  }
  assert.deepEqual(seen, ["boom", "slow"]);
});

test("Collector options are checked like a config file; start and stop follow the lifecycle rules", async () => {
  const hook = () => {};
  assert.throws(() => new Collector({ onRow: hook }), {
    name: "TypeError",
    message: "Cannot configure the collector: give otel, proxy or both",
  });
  assert.throws(() => new Collector({ otel: {} }), {
    name: "TypeError",
    message: "Cannot configure the collector: give sink (files), onRow (a hook) or both",
  });
  assert.throws(() => new Collector({ otel: { listen: "localhost" }, onRow: hook }), {
    name: "TypeError",
    message: /^Cannot configure the collector: \/otel\/listen: /,
  });
  assert.throws(() => new Collector({ proxy: { upstreams: [] }, onRow: hook }), {
    name: "TypeError",
    message: /^Cannot configure the collector: \/proxy\/upstreams: /,
  });
  // A JavaScript caller's typo is caught too.
  assert.throws(() => new Collector({ otel: { lisen: "127.0.0.1:0" } as never, onRow: hook }), {
    name: "TypeError",
    message: 'Cannot configure the collector: /otel/lisen: unknown key "lisen"',
  });

  // stop() before start() is fine; start() twice is not.
  assert.deepEqual(await new Collector({ otel: {}, onRow: hook }).stop(), { timedOut: false });
  const collector = new Collector({ otel: {}, onRow: hook });
  await collector.start();
  await assert.rejects(collector.start(), /Cannot start the collector: it is running/);
  const [first, second] = [collector.stop(), collector.stop()];
  assert.equal(first, second);
  assert.deepEqual(await first, { timedOut: false });

  // A port in use: start() rejects with the system's reason and nothing keeps running.
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  const port = (blocker.address() as net.AddressInfo).port;
  try {
    const busy = new Collector({ otel: { listen: `127.0.0.1:${port}` }, onRow: hook });
    await assert.rejects(busy.start(), /EADDRINUSE/);
    await busy.stop();
  } finally {
    blocker.close();
  }

  // `await using` stops it at the end of the scope.
  let url: string;
  {
    await using scoped = new Collector({ otel: {}, onRow: hook });
    url = (await scoped.start()).otel!;
  }
  await assert.rejects(fetch(`${url}/`));
});
