/**
 * Test harness: the fake upstream and a proxy app on real loopback sockets, recording to a JsonlSink in a
 * temporary directory, with the rows and the warnings it logged at hand.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import type { ProxyConfig, UpstreamConfig } from "../../../platform/config/types.ts";
import { type HttpServer, serve } from "../../../platform/runtime.ts";
import { proxyApp, type ProxyAppOptions } from "../../../server/proxy/app.ts";
import { Recorder } from "../../../server/proxy/recorder.ts";
import { JsonlSink } from "../../../storage/jsonl_sink.ts";
import { type FakeUpstream, startFakeUpstream } from "../../fixtures/fake_upstream.ts";
import { tempDir } from "../../helpers/child.ts";

// deno-lint-ignore no-explicit-any
export type Row = Record<string, any>;

/** A proxy in front of a fake upstream. */
export interface Harness {
  /** The proxy's base URL. */
  url: string;
  fake: FakeUpstream;
  sink: JsonlSink;
  /** The sink directory. */
  dir: string;
  /** Warnings the recorder logged. */
  logs: string[];
  /** Flushes the recorder and returns every recorded row, in file order. */
  rows(): Promise<Row[]>;
  /** The rows of one exchange: its stream events, then its exchange row. */
  exchanges(): Promise<{ exchange: Row; events: Row[] }[]>;
  close(): Promise<void>;
}

/** Options of {@linkcode startHarness}. */
export interface HarnessOptions {
  /** Upstreams; default one `fake` upstream matching `/`. */
  upstreams?: (fake: FakeUpstream) => UpstreamConfig[];
  proxy?: Partial<ProxyConfig>;
  app?: Partial<ProxyAppOptions>;
  /** Prepares the sink directory before the first write (e.g. to make writes fail). */
  prepare?(dir: string, sink: JsonlSink): Promise<void>;
}

/** Starts the fake upstream and a proxy in front of it. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeUpstream();
  const { dir, remove } = await tempDir("ctvs-proxy-");
  const sink = new JsonlSink({ dir, gatewayId: "gw" });
  await options.prepare?.(dir, sink);
  const logs: string[] = [];
  const recorder = new Recorder(sink, { log: (line) => logs.push(line) });
  const upstreams = options.upstreams?.(fake) ?? [{ name: "fake", base_url: fake.url, match: { path_prefix: "/" } }];
  const app = proxyApp({
    config: { listen: "127.0.0.1:0", upstreams, ...options.proxy },
    recorder,
    ...options.app,
  });
  const server: HttpServer = await serve({ hostname: "127.0.0.1", port: 0, handler: app.fetch });
  const rows = async () => {
    await recorder.flush();
    let text = "";
    try {
      text = await readFile(sink.pathFor("proxy"), "utf8");
    } catch {
      return [];
    }
    return text.split("\n").filter(Boolean).map((line) => JSON.parse(line));
  };
  return {
    url: `http://127.0.0.1:${server.port}`,
    fake,
    sink,
    dir,
    logs,
    rows,
    async exchanges() {
      const all = await rows();
      return all.filter((r) => r.kind === "exchange").map((exchange) => ({
        exchange,
        events: all.filter((r) => r.kind === "stream_event" && r.exchange_id === exchange.exchange_id),
      }));
    },
    async close() {
      await server.shutdown();
      await fake.close();
      await sink.close().catch(() => {});
      await remove();
    },
  };
}
