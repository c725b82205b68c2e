/**
 * A real OTLP receiver for the tests: the app on a real socket (127.0.0.1, a free port), writing through a real
 * `JsonlSink` into a temporary directory, with helpers to read back what it wrote.
 *
 * @module
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { serve } from "../../../platform/runtime.ts";
import { otlpApp } from "../../../server/otlp/app.ts";
import { DEFAULT_MAX_BODY_BYTES } from "../../../server/otlp/options.ts";
import { JsonlSink } from "../../../storage/jsonl_sink.ts";
import { Changes } from "../../helpers/changes.ts";

/** A running receiver. */
export interface TestReceiver {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  /** The sink directory. */
  dir: string;
  /** The parsed rows of `<signal>/<today>.jsonl` (`signal` may be `raw/traces`); [] when there is no file. */
  rows(signal: string): Promise<Record<string, unknown>[]>;
  /** Every file the receiver wrote, relative to the gateway directory. */
  files(): Promise<string[]>;
  /** Lines logged by the app. */
  logs: string[];
  /** Resolves once `n` requests have reached the app (their head was read; the body may still be coming). */
  reached(n: number): Promise<void>;
  /** Resolves once `n` requests have reached the app, and none of them is still being handled. */
  handled(n: number): Promise<void>;
  /** Stops the server, closes the sink and removes the directory. */
  close(): Promise<void>;
}

/** Starts a receiver; `maxBodyBytes` defaults to the real default. */
export async function startReceiver(options: { maxBodyBytes?: number; keepRaw?: boolean } = {}): Promise<TestReceiver> {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-otlp-"));
  const sink = new JsonlSink({ dir, gatewayId: "gw" });
  const logs: string[] = [];
  const app = otlpApp({
    sink,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    keepRaw: options.keepRaw ?? true,
    log: (line) => logs.push(line),
  });
  // Requests that reached the app and those it finished with, so a test can wait for the handling itself.
  let started = 0;
  let finished = 0;
  const changes = new Changes();
  const handler = async (request: Request) => {
    started++;
    changes.notify();
    try {
      return await app.fetch(request);
    } finally {
      finished++;
      changes.notify();
    }
  };
  const server = await serve({ hostname: "127.0.0.1", port: 0, handler });
  const gatewayDir = path.join(dir, "gw");
  return {
    url: `http://127.0.0.1:${server.port}`,
    dir,
    logs,
    reached: (n) => changes.until(() => started >= n, `${n} requests reached the app`, 10_000),
    handled: (n) => changes.until(() => started >= n && finished === started, `${n} requests were handled`, 10_000),
    async rows(signal) {
      await sink.flush();
      let text: string;
      try {
        text = await readFile(sink.pathFor(signal), "utf8");
      } catch {
        return [];
      }
      return text.split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
    },
    async files() {
      await sink.flush();
      try {
        const entries = await readdir(gatewayDir, { recursive: true, withFileTypes: true });
        return entries.filter((e) => e.isFile())
          .map((e) => path.relative(gatewayDir, path.join(e.parentPath, e.name)))
          .sort();
      } catch {
        return [];
      }
    },
    async close() {
      await server.shutdown();
      await sink.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
