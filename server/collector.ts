/**
 * The collector: owns the sink and the listeners of one process, and takes them through start, reload and
 * shutdown. The CLI's runner wraps it with signals and the PID file.
 *
 * @module
 */
import path from "node:path";
import type { Config } from "../platform/config/types.ts";
import { resolveGatewayId } from "../platform/gateway_id.ts";
import { expandHome } from "../platform/paths.ts";
import { errorMessage } from "../platform/runtime.ts";
import { exposedDirWarning } from "../storage/exposed_dir.ts";
import { JsonlSink } from "../storage/jsonl_sink.ts";
import { SinkHealth } from "../storage/sink_health.ts";
import type { RowSink } from "../storage/row_sink.ts";
import type { Listener, ListenerFactory } from "./listener.ts";

/** A listener that could not start, or a collector that has nothing to start. */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "StartError";
  }
}

/** How a collector is built. */
export interface CollectorOptions {
  /** The listener factories, in start order. */
  factories: readonly ListenerFactory[];
  /** Start lines go here (stdout). */
  out(line: string): void;
  /** Warnings and errors go here (stderr). */
  err(line: string): void;
  /**
   * Opens the sink of a config that has one (default: a {@linkcode JsonlSink} on `sink.dir`, checked writable).
   * The programmatic API passes one that also hands each row to the embedder.
   */
  openSink?(config: Config, gatewayId: string, health: SinkHealth): Promise<JsonlSink>;
  /**
   * A sink the caller owns (a gateway's outbox), used instead of opening `config.sink`; the collector never closes
   * it. `spool` is its directory, for the start lines.
   */
  fixedSink?: { sink: RowSink; gatewayId: string; spool: string };
  /** Starting no listener is fine (a gateway still polls for its config and ships its outbox). */
  allowEmpty?: boolean;
  /** Where recording failures are counted (default a new one, {@linkcode Collector.health}). */
  health?: SinkHealth;
}

interface Running {
  factory: ListenerFactory;
  listener: Listener;
  config: Config;
}

/** On reload, how often and how far apart a busy port is tried again before the start counts as failed. */
const REBIND_ATTEMPTS = 5;
const REBIND_DELAY_MS = 100;

/** The default bound on draining in-flight work at shutdown. */
export const DRAIN_TIMEOUT_MS = 5000;

/** Runs the listeners of one config; see the module doc. */
export class Collector {
  #options: CollectorOptions;
  #config: Config | undefined;
  #sink: RowSink | undefined;
  #gatewayId = "";
  #running: Running[] = [];
  /** Recording failures since start, across sinks replaced by reloads. */
  readonly health: SinkHealth;
  /** Reloads and shutdown run one after the other, never interleaved. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(options: CollectorOptions) {
    this.#options = options;
    this.health = options.health ?? new SinkHealth();
  }

  /** The gateway id the recordings are filed under (after `start`). */
  get gatewayId(): string {
    return this.#gatewayId;
  }

  /** The bound `host:port` of each running HTTP listener, by listener name (`otel`, `proxy`, ...). */
  addresses(): Record<string, string> {
    const entries = this.#running.map((r) => [r.factory.name, r.listener.address?.()] as const);
    return Object.fromEntries(entries.filter((entry): entry is [string, string] => entry[1] !== undefined));
  }

  /**
   * Opens the sink and starts every listener the config asks for, in factory order. If one fails, those already
   * started are stopped and a {@link StartError} says which failed and why.
   */
  async start(config: Config): Promise<void> {
    const fixed = this.#options.fixedSink;
    this.#gatewayId = fixed ? fixed.gatewayId : resolveGatewayId(config);
    this.#sink = fixed ? fixed.sink : config.sink ? await this.#openSink(config, this.#gatewayId) : undefined;
    this.#config = config;
    const started = await this.#startAll(this.#options.factories, config);
    if (started.length === 0 && !this.#options.allowEmpty) {
      await this.#closeSink();
      throw new StartError("no listeners configured");
    }
  }

  /**
   * Applies a new config: listeners whose keys are unchanged keep running; the others are stopped and started
   * with the new config, each step printed as it happens. A listener that fails to start is reported, and the
   * previous version of it is started again so the process keeps serving what it served.
   */
  reload(next: Config): Promise<void> {
    const run = this.#chain.then(() => this.#reload(next));
    this.#chain = run.catch(() => {});
    return run;
  }

  /**
   * Stops accepting work, waits up to `deadlineMs` for in-flight work, then fsyncs and closes the sink.
   * Resolves with whether the deadline was hit (what was still in flight is then dropped).
   */
  stop(deadlineMs = DRAIN_TIMEOUT_MS): Promise<{ timedOut: boolean }> {
    const run = this.#chain.then(() => this.#stop(deadlineMs));
    this.#chain = run.catch(() => {});
    return run;
  }

  async #reload(next: Config): Promise<void> {
    const { out, err } = this.#options;
    const previous = this.#config!;
    const changed = (key: keyof Config) => JSON.stringify(previous[key]) !== JSON.stringify(next[key]);
    let affected = this.#options.factories.filter((factory) => factory.keys.some(changed));
    if (affected.length === 0) return out("local reload: no listener changed");

    // A listener that can apply the change in place (the gascity city list) keeps running.
    for (const r of this.#running.filter((r) => affected.includes(r.factory) && r.listener.update)) {
      let line: string | undefined;
      try {
        line = await r.listener.update!(next);
      } catch (error) {
        err(`error: ${r.factory.name} could not apply the new config in place: ${errorMessage(error)}`);
      }
      if (line === undefined) continue;
      out(line);
      r.config = next;
      affected = affected.filter((f) => f !== r.factory);
    }

    const stopping = this.#running.filter((r) => affected.includes(r.factory));
    await stopWithin(stopping.map((r) => r.listener), DRAIN_TIMEOUT_MS);
    this.#running = this.#running.filter((r) => !stopping.includes(r));
    for (const r of stopping) out(`local reload: stopped ${r.factory.name}`);

    const oldSink = this.#sink;
    const oldGatewayId = this.#gatewayId;
    if (!this.#options.fixedSink && (changed("sink") || changed("gateway_id"))) {
      try {
        this.#gatewayId = resolveGatewayId(next);
        this.#sink = next.sink ? await this.#openSink(next, this.#gatewayId) : undefined;
        await oldSink?.close();
      } catch (error) {
        this.#gatewayId = oldGatewayId;
        err(`error: ${errorMessage(error)}; keeping the previous sink`);
        next = { ...next, sink: previous.sink, gateway_id: previous.gateway_id };
      }
    }
    this.#config = next;

    for (const factory of affected) {
      const outcome = await this.#startOne(factory, next);
      if (outcome === "started") out(`local reload: started ${factory.name}`);
      if (outcome !== "failed") continue;
      const before = stopping.find((r) => r.factory === factory);
      if (before && (await this.#startOne(factory, before.config)) === "started") {
        out(`local reload: kept the previous ${factory.name} config`);
      }
    }
  }

  async #stop(deadlineMs: number): Promise<{ timedOut: boolean }> {
    const listeners = this.#running.map((r) => r.listener).reverse();
    this.#running = [];
    const timedOut = await stopWithin(listeners, deadlineMs);
    try {
      await this.#closeSink();
    } catch (error) {
      this.#options.err(`error: closing the sink: ${errorMessage(error)}`);
    }
    return { timedOut };
  }

  async #startAll(factories: readonly ListenerFactory[], config: Config): Promise<Running[]> {
    for (const factory of factories) {
      const listener = factory.create(this.#context(config));
      if (!listener) continue;
      try {
        this.#options.out(await listener.start());
      } catch (error) {
        await stopWithin(this.#running.map((r) => r.listener).reverse(), DRAIN_TIMEOUT_MS);
        this.#running = [];
        await this.#closeSink();
        throw new StartError(`failed to start listener: ${describeStartError(error)}`);
      }
      this.#running.push({ factory, listener, config });
    }
    return this.#running;
  }

  /** Starts one listener during a reload; a failure is reported, not thrown. */
  async #startOne(factory: ListenerFactory, config: Config): Promise<"started" | "absent" | "failed"> {
    for (let attempt = 1;; attempt++) {
      const listener = factory.create(this.#context(config));
      if (!listener) return "absent";
      try {
        this.#options.out(await listener.start());
        this.#running.push({ factory, listener, config });
        return "started";
      } catch (error) {
        await listener.stop().catch(() => {});
        // A port this process released a moment ago can take a little while to be free again.
        if ((error as { code?: string }).code === "EADDRINUSE" && attempt < REBIND_ATTEMPTS) {
          await new Promise((resolve) => setTimeout(resolve, REBIND_DELAY_MS));
          continue;
        }
        this.#options.err(`error: failed to start listener: ${describeStartError(error)}`);
        return "failed";
      }
    }
  }

  #openSink(config: Config, gatewayId: string): Promise<JsonlSink> {
    if (this.#options.openSink) return this.#options.openSink(config, gatewayId, this.health);
    return openSink(config, gatewayId, this.health, this.#options.err);
  }

  #context(config: Config) {
    return {
      config,
      sink: this.#sink,
      gatewayId: this.#gatewayId,
      spool: this.#options.fixedSink?.spool,
      log: this.#options.err,
    };
  }

  /** Closes the sink this collector opened (never a fixed one). */
  async #closeSink(): Promise<void> {
    if (!this.#options.fixedSink) await this.#sink?.close();
  }
}

async function openSink(
  config: Config,
  gatewayId: string,
  health: SinkHealth,
  warn: (line: string) => void,
): Promise<JsonlSink> {
  // `~` and relative paths are resolved once here, so every listener and message names the same absolute directory.
  const dir = path.resolve(expandHome(config.sink!.dir));
  const sink = new JsonlSink({ dir, gatewayId, fsync: config.sink!.fsync, health });
  try {
    await sink.checkWritable();
  } catch (error) {
    await sink.close().catch(() => {});
    throw new StartError(errorMessage(error));
  }
  const exposed = await exposedDirWarning(dir, "recordings");
  if (exposed) warn(exposed);
  return sink;
}

/** Stops `listeners` together; past the deadline aborts the rest. Returns true when the deadline was hit. */
async function stopWithin(listeners: Listener[], deadlineMs: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<"timeout">((resolve) => timer = setTimeout(() => resolve("timeout"), deadlineMs));
  const all = Promise.allSettled(listeners.map((l) => l.stop())).then(() => "done" as const);
  const outcome = await Promise.race([all, deadline]);
  clearTimeout(timer);
  if (outcome === "timeout") { for (const listener of listeners) listener.abort(); }
  return outcome === "timeout";
}

/** `EADDRINUSE: address already in use 127.0.0.1:8787` from whatever a bind threw. */
function describeStartError(error: unknown): string {
  const code = (error as { code?: string }).code;
  const message = errorMessage(error);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
