/**
 * Gas City capture as a collector listener (standalone and server roles; not used by a gateway): one
 * {@linkcode CityCapture} per configured city, writing `gascity_messages` and `gascity_events` day files beside the
 * other signals with an fsync per batch (a session's cursor moves only once its rows are on disk), and a status
 * snapshot for `ctvs gascity status`. A SIGHUP that only changes the `gascity` list is applied in place: cities
 * added start, removed ones stop, the others keep their connections.
 *
 * @module
 */
import path from "node:path";
import process from "node:process";
import { recordingRoot } from "../../platform/config/recording_root.ts";
import type { Config, GascityConfig } from "../../platform/config/types.ts";
import { errorMessage, unrefTimer } from "../../platform/runtime.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import type { Listener, ListenerContext, ListenerFactory } from "../listener.ts";
import { CityCapture, type CityCaptureOptions } from "./city_capture.ts";
import { statusFile } from "./state_paths.ts";
import { type StatusSnapshot, writeStatusSnapshot } from "./status_snapshot.ts";
import { EVENTS_SIGNAL, MESSAGES_SIGNAL, type SessionRowsFactory } from "./types.ts";

/** How often the status snapshot is rewritten while running. */
const STATUS_EVERY_MS = 2000;

/** Test seams: stream timings (defaults in {@linkcode CityCapture}). */
export type GascityTimings = Pick<CityCaptureOptions, "idleMs" | "catchUpTimeoutMs" | "reconcileMs" | "backoff">;

/**
 * The factory of the Gas City listener: present when the config lists at least one city and the role is not
 * `gateway`. `loadRows` loads the maker of `gascity_messages` rows (query/'s normalizer and price table, passed in
 * from cli/ and loaded only when a city is configured).
 */
export function gascityListenerFactory(
  loadRows: () => Promise<SessionRowsFactory>,
  timings: GascityTimings = {},
): ListenerFactory {
  return {
    name: "gascity",
    keys: ["gascity", "sink", "gateway_id", "role"],
    create(context: ListenerContext): Listener | undefined {
      const cities = context.config.gascity ?? [];
      if (cities.length === 0) return undefined;
      if ((context.config.role ?? "standalone") === "gateway") {
        context.log(
          "warning: gascity is not used in the gateway role (the Central server or a standalone host captures cities)",
        );
        return undefined;
      }
      return new GascityListener(context, loadRows, timings);
    },
  };
}

/** The listener; see the module doc. */
export class GascityListener implements Listener {
  readonly #context: ListenerContext;
  readonly #loadRows: () => Promise<SessionRowsFactory>;
  #rows: SessionRowsFactory | undefined;
  readonly #timings: GascityTimings;
  readonly #cities = new Map<string, { config: GascityConfig; capture: CityCapture }>();
  #sink: JsonlSink | undefined;
  #root = "";
  #startedAt = "";
  #timer: ReturnType<typeof setInterval> | undefined;
  #stopping: Promise<void> | undefined;

  constructor(context: ListenerContext, loadRows: () => Promise<SessionRowsFactory>, timings: GascityTimings = {}) {
    this.#context = context;
    this.#loadRows = loadRows;
    this.#timings = timings;
  }

  async start(): Promise<string> {
    const { sink, gatewayId, config } = this.#context;
    // The collector's sink directory; a server without one records into its server.sink_dir, as its gateways do.
    let root: string;
    try {
      root = sink?.dir ?? recordingRoot(config);
    } catch {
      throw new Error('gascity needs a directory to record to: set sink.dir (sink: {"type": "file", "dir": ...})');
    }
    this.#rows = await this.#loadRows();
    this.#root = root;
    // A sink of its own on the same directory: its files are only the gascity signals, fsync'd on every batch.
    this.#sink = new JsonlSink({ dir: root, gatewayId, fsync: "always", health: sink?.health });
    this.#startedAt = new Date().toISOString();
    for (const city of config.gascity ?? []) this.#startCity(city);
    this.#timer = setInterval(() => void this.#writeStatus(true), STATUS_EVERY_MS);
    unrefTimer(this.#timer);
    void this.#writeStatus(true);
    const names = [...this.#cities.values()].map(({ config }) => `${config.name} (${config.api_url})`).join(", ");
    const file = path.join(root, gatewayId, MESSAGES_SIGNAL, "<UTC-date>.jsonl");
    return `Gas City capture of ${names}, recording to ${file}`;
  }

  /**
   * Applies `config` in place when only its `gascity` list differs from the running one: resolves with the line to
   * print, or undefined when the listener must be restarted instead (the sink or the gateway id changed).
   */
  async update(config: Config): Promise<string | undefined> {
    const running = this.#context.config;
    const same = (key: keyof Config) => JSON.stringify(running[key]) === JSON.stringify(config[key]);
    if (!same("sink") || !same("gateway_id") || !same("role") || !this.#sink) return undefined;
    // No city left: the listener is stopped like any other whose section went away.
    if ((config.gascity ?? []).length === 0) return undefined;
    const next = new Map((config.gascity ?? []).map((c) => [c.name, c]));
    let started = 0;
    let stopped = 0;
    for (const [name, { config: current, capture }] of this.#cities) {
      const wanted = next.get(name);
      if (wanted && JSON.stringify(wanted) === JSON.stringify(current)) continue;
      this.#cities.delete(name);
      await capture.stop();
      stopped++;
    }
    for (const [name, city] of next) {
      if (this.#cities.has(name)) continue;
      this.#startCity(city);
      started++;
    }
    this.#context.config = config;
    await this.#writeStatus(true);
    return `local reload: gascity diff applied (${next.size} cities: ${started} started, ${stopped} stopped)`;
  }

  stop(): Promise<void> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  abort(): void {
    // Workers stop at their next await; a batch being written finishes or fails on its own.
  }

  async #stop(): Promise<void> {
    clearInterval(this.#timer);
    await Promise.all([...this.#cities.values()].map(({ capture }) => capture.stop()));
    if (this.#sink) {
      await this.#writeStatus(false);
      try {
        await this.#sink.close();
      } catch (error) {
        this.#context.log(`error: closing the gascity files: ${errorMessage(error)}`);
      }
    }
  }

  #startCity(config: GascityConfig): void {
    const sink = this.#sink!;
    const capture = new CityCapture({
      ...this.#timings,
      city: config,
      root: this.#root,
      rows: this.#rows!,
      writeMessages: (rows) => sink.append(MESSAGES_SIGNAL, rows),
      writeEvents: (rows) => sink.append(EVENTS_SIGNAL, rows),
      log: this.#context.log,
    });
    this.#cities.set(config.name, { config, capture });
    capture.start();
  }

  async #writeStatus(running: boolean): Promise<void> {
    const snapshot: StatusSnapshot = {
      version: 1,
      pid: process.pid,
      running,
      started_at: this.#startedAt,
      updated_at: new Date().toISOString(),
      cities: [...this.#cities.values()].map(({ capture }) => capture.status),
    };
    try {
      await writeStatusSnapshot(statusFile(this.#root), snapshot);
    } catch {
      // The status is a convenience; the capture goes on without it.
    }
  }
}
