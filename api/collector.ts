/**
 * The programmatic API: the OTLP receiver and the recording proxy of `ctvs`, started and stopped inside your own
 * Node or Deno program. It runs the same listeners as the `ctvs` command (server/), from a typed options object
 * instead of a config file.
 *
 * @module
 */
import path from "node:path";
import { ConfigError } from "../platform/config/config_error.ts";
import type { Config } from "../platform/config/types.ts";
import { validateConfig } from "../platform/config/validate.ts";
import { expandHome } from "../platform/paths.ts";
import { Collector as ListenerSet, DRAIN_TIMEOUT_MS } from "../server/collector.ts";
import { otlpListenerFactory } from "../server/otlp/listener.ts";
import { proxyListenerFactory } from "../server/proxy/listener.ts";
import { HookedSink } from "./hooked_sink.ts";
import type { CollectorOptions, CollectorUrls, StopResult } from "./types.ts";

/** The loopback address with a free port: where listeners go when `listen` is left out. */
const ANY_LOOPBACK_PORT = "127.0.0.1:0";

/** Stands for the sink directory in a collector without one; never created or written. */
const NO_DIR = "<onRow only>";

/**
 * Runs the OTLP/HTTP receiver and/or the recording LLM proxy in this process, writing rows to JSONL files
 * (`sink`), to your code (`onRow`), or both.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Collector } from "./collector.ts";
 *
 * const rows: Record<string, unknown>[] = [];
 * const collector = new Collector({ otel: {}, onRow: (_signal, row) => void rows.push(row) });
 * const { otel } = await collector.start();
 * const body = { resourceLogs: [{ scopeLogs: [{ logRecords: [{ body: { stringValue: "hello" } }] }] }] };
 * const response = await fetch(`${otel}/v1/logs`, {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify(body),
 * });
 * assert.equal(response.status, 200);
 * await response.body?.cancel();
 * await collector.stop();
 * assert.equal(rows[0].body, "hello");
 * ```
 */
export class Collector {
  readonly #options: CollectorOptions;
  readonly #config: Config;
  readonly #listeners: ListenerSet;
  #state: "new" | "starting" | "running" | "stopped" = "new";
  #stopping: Promise<StopResult> | undefined;
  #urls: CollectorUrls = {};

  /**
   * Checks the options (the same rules as a config file's) without starting anything.
   *
   * @throws {TypeError} When neither `otel` nor `proxy`, or neither `sink` nor `onRow`, is given, or an option is
   *   invalid (`Cannot configure the collector: /proxy/upstreams: ...`).
   */
  constructor(options: CollectorOptions) {
    this.#options = options;
    if (!options.otel && !options.proxy) {
      throw new TypeError("Cannot configure the collector: give otel, proxy or both");
    }
    if (!options.sink && !options.onRow) {
      throw new TypeError("Cannot configure the collector: give sink (files), onRow (a hook) or both");
    }
    if (options.onRow !== undefined && typeof options.onRow !== "function") {
      throw new TypeError("Cannot configure the collector: onRow must be a function");
    }
    this.#config = configOf(options);
    const log = options.log ?? (() => {});
    const hide = (line: string) =>
      options.sink ? line : line.replace(/(writing|recording) to \S*<onRow only>\S*/, "$1 to onRow");
    this.#listeners = new ListenerSet({
      factories: [otlpListenerFactory, proxyListenerFactory],
      out: (line) => log(hide(line)),
      err: (line) => log(line),
      openSink: async (config, gatewayId, health) => {
        const sink = new HookedSink({
          dir: options.sink ? path.resolve(expandHome(options.sink.dir)) : NO_DIR,
          gatewayId,
          fsync: config.sink?.fsync,
          health,
          onRow: options.onRow,
          files: options.sink !== undefined,
        });
        await sink.checkWritable();
        return sink;
      },
    });
  }

  /**
   * Binds the listeners and starts taking requests. Resolves with their base URLs. Rejects when one cannot start
   * (a port in use, an unwritable sink directory); those already started are stopped again. Call it once.
   */
  async start(): Promise<CollectorUrls> {
    if (this.#state !== "new") throw new Error(`Cannot start the collector: it is ${this.#state}`);
    this.#state = "starting";
    try {
      await this.#listeners.start(this.#config);
    } catch (error) {
      this.#state = "stopped";
      throw error;
    }
    const addresses = this.#listeners.addresses();
    this.#urls = Object.fromEntries(Object.entries(addresses).map(([name, address]) => [name, `http://${address}`]));
    this.#state = "running";
    return this.urls;
  }

  /** The base URLs of the running listeners (empty before `start`). */
  get urls(): CollectorUrls {
    return { ...this.#urls };
  }

  /** The directory name rows are filed under in the sink (`<dir>/<gatewayId>/<signal>/...`). */
  get gatewayId(): string {
    return this.#listeners.gatewayId;
  }

  /**
   * Stops taking requests, waits up to `timeoutMs` (default 5000) for those in flight (streams through the proxy
   * included), then flushes and closes the files. Safe to call twice, or before `start`.
   */
  stop(options: { timeoutMs?: number } = {}): Promise<StopResult> {
    this.#stopping ??= this.#state === "new"
      ? Promise.resolve({ timedOut: false })
      : this.#listeners.stop(options.timeoutMs ?? DRAIN_TIMEOUT_MS);
    this.#state = "stopped";
    return this.#stopping;
  }

  /** `await using collector = new Collector(...)` stops it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop().then(() => {});
  }
}

/** The config the options stand for, validated as a config file would be; a TypeError names what is wrong. */
function configOf(options: CollectorOptions): Config {
  const config: Record<string, unknown> = { version: 1 };
  if (options.gateway_id !== undefined) config.gateway_id = options.gateway_id;
  if (options.otel) config.otel = { listen: ANY_LOOPBACK_PORT, ...options.otel };
  if (options.proxy) config.proxy = { listen: ANY_LOOPBACK_PORT, ...options.proxy };
  config.sink = {
    type: "file",
    dir: options.sink?.dir ?? NO_DIR,
    ...(options.sink?.fsync ? { fsync: options.sink.fsync } : {}),
  };
  if (options.ignored_paths !== undefined) config.ignored_paths = options.ignored_paths;
  try {
    return validateConfig(config, { strict: true }).config;
  } catch (error) {
    if (error instanceof ConfigError) throw new TypeError(`Cannot configure the collector: ${error.message}`);
    throw error;
  }
}
