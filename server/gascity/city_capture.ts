/**
 * The capture of one city: its event stream (recorded to `gascity_events`, resumed by `seq` from the city's
 * cursor), the session lifecycle it reports handed to the city's {@linkcode SessionRoster}, and a reconciliation
 * against the session list at every (re)connect and every few minutes, so a missed lifecycle event costs at most
 * that long. A supervisor that is down is retried with backoff, never fatal.
 *
 * @module
 */
import type { GascityConfig } from "../../platform/config/types.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import { type EventCursor, eventCursorFile, readEventCursor, writeEventCursor } from "./event_cursor.ts";
import { type EventEnvelope, eventRow } from "./event_row.ts";
import { lifecycleOf, SessionRoster } from "./session_roster.ts";
import type { WorkerStatus } from "./session_worker.ts";
import { readSse } from "./sse_reader.ts";
import { SupervisorClient } from "./supervisor_client.ts";
import type { SessionRowsFactory } from "./types.ts";

/** What a city's capture is doing, for `ctvs gascity status`. */
export interface CityStatus {
  name: string;
  api_url: string;
  state: "connecting" | "connected" | "retrying" | "stopped";
  last_error: string | null;
  /** The last event seq recorded. */
  last_seq: number | null;
  last_event_at: string | null;
  /** Event rows written since the listener started. */
  events: number;
  malformed_frames: number;
  malformed_lines: number;
  reconnects: number;
  sessions: WorkerStatus[];
}

/** Options of a {@linkcode CityCapture}. */
export interface CityCaptureOptions {
  city: GascityConfig;
  /** The recordings root; the city's state lives in `<root>/.gascity/`. */
  root: string;
  rows: SessionRowsFactory;
  /** Writes `gascity_messages` rows durably. */
  writeMessages(rows: Record<string, unknown>[]): Promise<void>;
  /** Writes `gascity_events` rows durably. */
  writeEvents(rows: Record<string, unknown>[]): Promise<void>;
  /** Notable changes, one line each (stderr). */
  log(line: string): void;
  client?: SupervisorClient;
  /** Longest silence on a stream before it is reopened (default 45 s: three missed 15 s keepalives). */
  idleMs?: number;
  /** Bound on the transcript read that ends a stopped session (default 2 min). */
  catchUpTimeoutMs?: number;
  /** How often the session list is checked against the workers while connected (default 5 min). */
  reconcileMs?: number;
  backoff?: BackoffOptions;
  /** Sessions recorded at once (default `MAX_SESSIONS_PER_CITY`). */
  maxSessions?: number;
}

/** SSE event names that carry an envelope; any other name (older builds) is the event type itself. */
const ENVELOPE_EVENTS = new Set(["event", "tagged_event", "message"]);
const HEARTBEATS = new Set(["heartbeat", "ping"]);

/** Captures one city until stopped; see the module doc. */
export class CityCapture {
  readonly #options: CityCaptureOptions;
  readonly #client: SupervisorClient;
  readonly #abort = new AbortController();
  readonly #roster: SessionRoster;
  readonly #status: CityStatus;
  #cursor: EventCursor | undefined;
  #loop: Promise<void> | undefined;
  /** Lifecycle work (session lookups, worker starts and retirements) runs one step at a time, in event order. */
  #serial: Promise<void> = Promise.resolve();
  #failing = false;
  readonly #warned = new Set<string>();

  constructor(options: CityCaptureOptions) {
    this.#options = options;
    this.#client = options.client ?? new SupervisorClient(options.city.api_url);
    this.#roster = new SessionRoster({
      city: options.city,
      root: options.root,
      client: this.#client,
      rows: options.rows,
      writeMessages: options.writeMessages,
      log: options.log,
      onMalformedLine: (reason) => this.#skipped("malformed_lines", reason),
      idleMs: options.idleMs ?? 45_000,
      catchUpTimeoutMs: options.catchUpTimeoutMs ?? 120_000,
      backoff: options.backoff,
      signal: this.#abort.signal,
      maxSessions: options.maxSessions,
    });
    this.#status = {
      name: options.city.name,
      api_url: options.city.api_url,
      state: "connecting",
      last_error: null,
      last_seq: null,
      last_event_at: null,
      events: 0,
      malformed_frames: 0,
      malformed_lines: 0,
      reconnects: 0,
      sessions: [],
    };
  }

  /** The city's name. */
  get name(): string {
    return this.#options.city.name;
  }

  /** A snapshot of the status, sessions included. */
  get status(): CityStatus {
    return { ...this.#status, sessions: this.#roster.statuses };
  }

  /** Starts the capture; returns at once (connecting happens in the background). */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops everything: the event stream, the workers (their writes in flight finish). Idempotent. */
  async stop(): Promise<void> {
    this.#abort.abort();
    await this.#loop;
    await this.#serial;
    await this.#roster.stop();
    this.#status.state = "stopped";
  }

  async #run(): Promise<void> {
    const { city } = this.#options;
    const signal = this.#abort.signal;
    const backoff = new Backoff(this.#options.backoff);
    const cursorFile = eventCursorFile(this.#options.root, city.name);
    this.#cursor = await readEventCursor(cursorFile, city.api_url);
    this.#status.last_seq = this.#cursor?.last_seq ?? null;
    let reconcileTimer: ReturnType<typeof setInterval> | undefined;
    try {
      while (!signal.aborted) {
        try {
          await this.#checkLogHead(cursorFile, signal);
          const response = await this.#client.cityEvents(city.name, this.#cursor?.last_seq, signal);
          // Subscribed first, listed second: a session that starts in between is in one or the other.
          await this.#enqueue(() => this.#roster.reconcile());
          this.#status.state = "connected";
          this.#status.last_error = null;
          backoff.reset();
          if (this.#failing) this.#options.log(`gascity ${city.name}: connected to ${city.api_url} again`);
          this.#failing = false;
          clearInterval(reconcileTimer);
          reconcileTimer = setInterval(
            () => void this.#enqueue(() => this.#roster.reconcile()),
            this.#options.reconcileMs ?? 300_000,
          );
          for await (const batch of readSse(response.body!, { idleMs: this.#options.idleMs ?? 45_000, signal })) {
            await this.#record(batch, cursorFile);
          }
          if (!signal.aborted) throw new Error("the supervisor closed the event stream");
        } catch (error) {
          if (signal.aborted) break;
          this.#failed(error);
        }
        clearInterval(reconcileTimer);
        this.#status.state = "retrying";
        this.#status.reconnects++;
        await sleep(backoff.next(), signal);
      }
    } finally {
      clearInterval(reconcileTimer);
    }
  }

  /**
   * Sets the cursor against the supervisor's event log head (`X-GC-Index`) before each connection. Without a cursor
   * it starts at the head, so an event that arrives next and cannot be written (a full disk) is sent again on the
   * reconnect rather than skipped by a stream opened at a later head. A log that restarted below the cursor (its seq
   * started over) would send nothing until its seq passed the cursor: the cursor then starts over too, in a new
   * epoch so event ids stay unique.
   */
  async #checkLogHead(cursorFile: string, signal: AbortSignal): Promise<void> {
    const { city } = this.#options;
    const cursor = this.#cursor;
    const head = await this.#client.eventHead(city.name, signal).catch(() => undefined);
    if (head === undefined) return;
    const now = new Date().toISOString();
    if (!cursor) {
      this.#cursor = { api_url: city.api_url, last_seq: head, epoch: 0, updated_at: now };
    } else if (head < cursor.last_seq) {
      this.#options.log(
        `gascity ${city.name}: the supervisor's event log restarted (head seq ${head}, recorded up to ` +
          `${cursor.last_seq}); reading it from its start`,
      );
      this.#cursor = { ...cursor, last_seq: 0, epoch: cursor.epoch + 1, updated_at: now };
    } else return;
    await writeEventCursor(cursorFile, this.#cursor);
    this.#status.last_seq = this.#cursor.last_seq;
  }

  /** Records one batch of SSE events: rows first, on disk, then the cursor; then acts on the lifecycle events. */
  async #record(batch: { event: string; data: string; id?: string }[], cursorFile: string): Promise<void> {
    const { city } = this.#options;
    const rows: Record<string, unknown>[] = [];
    const lifecycle: { change: "start" | "end"; envelope: EventEnvelope }[] = [];
    let maxSeq = this.#cursor?.last_seq;
    for (const { event, data, id } of batch) {
      if (HEARTBEATS.has(event)) continue;
      const envelope = parseObject(data);
      if (!envelope) {
        this.#skipped("malformed_frames", `a ${event} frame that is not a JSON object`);
        continue;
      }
      const type = typeof envelope.type === "string" && envelope.type !== ""
        ? envelope.type
        : ENVELOPE_EVENTS.has(event)
        ? null
        : event;
      if (type !== null && HEARTBEATS.has(type)) continue;
      const seq = toSeq(envelope.seq) ?? toSeq(id);
      // Already recorded (a supervisor that replays more than asked for).
      if (seq !== null && this.#cursor && seq <= this.#cursor.last_seq) continue;
      rows.push(eventRow(envelope, {
        city: city.name,
        supervisorUrl: city.api_url,
        seq,
        type,
        epoch: this.#cursor?.epoch ?? 0,
      }));
      if (seq !== null && (maxSeq === undefined || seq > maxSeq)) maxSeq = seq;
      const change = lifecycleOf(type);
      if (change) lifecycle.push({ change, envelope });
    }
    if (rows.length > 0) {
      await this.#options.writeEvents(rows);
      this.#status.events += rows.length;
      this.#status.last_event_at = new Date().toISOString();
    }
    if (maxSeq !== undefined && maxSeq !== this.#cursor?.last_seq) {
      this.#cursor = {
        api_url: city.api_url,
        last_seq: maxSeq,
        epoch: this.#cursor?.epoch ?? 0,
        updated_at: new Date().toISOString(),
      };
      await writeEventCursor(cursorFile, this.#cursor);
      this.#status.last_seq = maxSeq;
    }
    for (const { change, envelope } of lifecycle) {
      void this.#enqueue(() => change === "start" ? this.#roster.started(envelope) : this.#roster.ended(envelope));
    }
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const run = this.#serial.then(() => this.#abort.signal.aborted ? undefined : step());
    this.#serial = run.catch((error) => {
      this.#options.log(`gascity ${this.#options.city.name}: ${errorMessage(error)}`);
    });
    return this.#serial;
  }

  #failed(error: unknown): void {
    this.#status.last_error = errorMessage(error);
    if (this.#failing) return;
    this.#failing = true;
    this.#options.log(`gascity ${this.#options.city.name}: ${errorMessage(error)}; retrying with backoff`);
  }

  /** Counts a skipped frame or line; the first of each kind is logged. */
  #skipped(kind: "malformed_frames" | "malformed_lines", reason: string): void {
    this.#status[kind]++;
    if (this.#warned.has(kind)) return;
    this.#warned.add(kind);
    this.#options.log(
      `gascity ${this.#options.city.name}: skipped ${reason}; later ones are counted in \`ctvs gascity status\``,
    );
  }
}

function toSeq(value: unknown): number | null {
  const n = typeof value === "string" && value.trim() !== "" ? Number(value) : value;
  return typeof n === "number" && Number.isSafeInteger(n) && n >= 0 ? n : null;
}

function parseObject(text: string): EventEnvelope | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
