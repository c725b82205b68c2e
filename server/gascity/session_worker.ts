/**
 * The worker of one live session: reads the session's raw transcript stream (`format=raw`), records each frame's
 * provider lines through a {@linkcode SessionRecorder}, reconnects with backoff when the stream drops (the raw
 * stream replays from the last compaction; the journal drops what was already recorded), and when the session
 * stops, reads what the stream had not delivered yet from the transcript route before it ends. A session recorded
 * before (the collector restarted) is first read from the transcript route after its last recorded line: lines
 * written while the collector was away and then compacted out of the stream's replay are not lost.
 *
 * @module
 */
import { errorMessage } from "../../platform/runtime.ts";
import { Backoff, type BackoffOptions, sleep } from "./backoff.ts";
import type { SessionRecorder } from "./session_recorder.ts";
import { readSse } from "./sse_reader.ts";
import { type SupervisorClient, SupervisorError } from "./supervisor_client.ts";
import type { SessionIdentity } from "./types.ts";

/** What a worker is doing, for `ctvs gascity status`. */
export interface WorkerStatus {
  session_id: string;
  template: string | null;
  rig: string | null;
  alias: string | null;
  provider: string | null;
  state: "connecting" | "streaming" | "retrying" | "retiring" | "done";
  /** The session's last reported activity (`idle`, `in-turn`). */
  activity: string | null;
  lines: number;
  rows: number;
  malformed_frames: number;
  malformed_lines: number;
  reconnects: number;
  last_line_at: string | null;
  last_error: string | null;
}

/** Options of a {@linkcode SessionWorker}. */
export interface SessionWorkerOptions {
  client: SupervisorClient;
  session: SessionIdentity;
  /** Opens the session's recorder (reads its journal); called once, when the worker begins. */
  open(): Promise<SessionRecorder>;
  /** The worker waits for this first (a previous worker of the same session finishing its last read). */
  after?: Promise<unknown>;
  /** One line per notable change (first failure of a streak, recovery, malformed input); goes to stderr. */
  log(line: string): void;
  /** Longest silence on the stream before it is reopened (the supervisor sends a keepalive every 15 s). */
  idleMs: number;
  /** Bound on the transcript read that ends a stopped session. */
  catchUpTimeoutMs: number;
  backoff?: BackoffOptions;
}

/** Records one session until it is retired or stopped; see the module doc. */
export class SessionWorker {
  readonly #options: SessionWorkerOptions;
  /** Ends the stream (retire and stop). */
  readonly #abort = new AbortController();
  /** Ends everything, the last transcript read included (stop). */
  readonly #stopAll = new AbortController();
  readonly #status: WorkerStatus;
  #recorder: SessionRecorder | undefined;
  #loop: Promise<void> | undefined;
  #retiring = false;
  #failing = false;
  #warnedMalformed = false;

  constructor(options: SessionWorkerOptions) {
    this.#options = options;
    const s = options.session;
    this.#status = {
      session_id: s.sessionId,
      template: s.template,
      rig: s.rig,
      alias: s.alias,
      provider: s.provider,
      state: "connecting",
      activity: null,
      lines: 0,
      rows: 0,
      malformed_frames: 0,
      malformed_lines: 0,
      reconnects: 0,
      last_line_at: null,
      last_error: null,
    };
  }

  /** A snapshot of the worker's status. */
  get status(): WorkerStatus {
    const s = this.#options.session;
    return { ...this.#status, template: s.template, rig: s.rig, alias: s.alias, provider: s.provider };
  }

  /** Whether {@linkcode retire} was called. */
  get retiring(): boolean {
    return this.#retiring;
  }

  /** The worker has ended (retired, stopped, or its session is gone). */
  get done(): boolean {
    return this.#status.state === "done";
  }

  /** Starts reading; returns at once. */
  start(): void {
    this.#loop ??= this.#run().finally(() => this.#status.state = "done");
  }

  /**
   * The session stopped: the stream is closed, the lines it had not delivered are read from the transcript route
   * (bounded by `catchUpTimeoutMs`), then the worker ends. Resolves when it has.
   */
  async retire(): Promise<void> {
    this.#retiring = true;
    this.#abort.abort();
    await this.#loop;
  }

  /** Stops at once (the collector is stopping): the write in flight finishes, nothing more is read. */
  async stop(): Promise<void> {
    this.#abort.abort();
    this.#stopAll.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { client, session } = this.#options;
    const { city, sessionId } = session;
    await this.#options.after?.catch(() => {});
    if (this.#stopAll.signal.aborted) return;
    let recorder: SessionRecorder;
    try {
      recorder = this.#recorder = await this.#options.open();
    } catch (error) {
      this.#options.log(`gascity ${city}: cannot record session ${sessionId}: ${errorMessage(error)}`);
      return;
    }
    this.#status.lines = recorder.journal.size;
    const backoff = new Backoff(this.#options.backoff);
    const signal = this.#abort.signal;
    if (recorder.journal.lastUuid) await this.#catchUp("start", signal);
    while (!signal.aborted) {
      let closed = false;
      try {
        await recorder.journal.refresh();
        const response = await client.sessionStream(city, sessionId, signal);
        closed = response.headers.get("gc-session-state") === "closed";
        this.#status.state = "streaming";
        for await (const batch of readSse(response.body!, { idleMs: this.#options.idleMs, signal })) {
          backoff.reset();
          this.#recovered();
          for (const event of batch) await this.#handle(event.event, event.data);
        }
        if (closed) break;
        if (!signal.aborted) throw new Error("the supervisor closed the stream");
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof SupervisorError && error.status === 404) {
          this.#options.log(`gascity ${city}: session ${sessionId} is gone from the supervisor; stopped recording it`);
          return;
        }
        this.#failed(error);
      }
      this.#status.state = "retrying";
      this.#status.reconnects++;
      await sleep(backoff.next(), signal);
    }
    if (this.#retiring) await this.#catchUp("stop", this.#stopAll.signal);
  }

  async #handle(event: string, data: string): Promise<void> {
    if (event === "activity") {
      const activity = parseObject(data)?.activity;
      if (typeof activity === "string") this.#status.activity = activity;
      return;
    }
    if (event !== "message") return; // turn, pending, heartbeat: nothing to record
    const frame = parseObject(data);
    if (!frame || !(Array.isArray(frame.messages) || frame.messages === null)) {
      this.#malformedFrame(frame ? "it has no messages array" : "it is not a JSON object");
      return;
    }
    if (typeof frame.provider === "string" && frame.provider !== "") this.#options.session.provider ??= frame.provider;
    await this.#record((frame.messages ?? []) as unknown[]);
  }

  async #record(lines: unknown[]): Promise<void> {
    if (lines.length === 0) return;
    const result = await this.#recorder!.ingest(lines);
    this.#status.lines += result.lines;
    this.#status.rows += result.rows;
    this.#status.malformed_lines += result.malformed;
    if (result.lines > 0) this.#status.last_line_at = new Date().toISOString();
  }

  /**
   * Reads from the transcript route what was written after the last recorded line (all of it when no uuid was
   * recorded yet): at `start` for a session recorded before, at `stop` for the lines the stream did not deliver.
   */
  async #catchUp(when: "start" | "stop", signal: AbortSignal): Promise<void> {
    const { client, session } = this.#options;
    const { city, sessionId } = session;
    if (signal.aborted) return;
    if (when === "stop") this.#status.state = "retiring";
    const after = this.#recorder!.journal.lastUuid;
    try {
      const page = await client.transcript(city, sessionId, after ? { after } : {}, {
        timeoutMs: this.#options.catchUpTimeoutMs,
        signal,
      });
      await this.#record(page.messages);
    } catch (error) {
      if (signal.aborted || (when === "stop" && error instanceof SupervisorError && error.status === 404)) return;
      this.#options.log(
        `gascity ${city}: session ${sessionId}: reading ${
          when === "stop" ? "its last lines" : "what was written while the collector was away"
        } failed (${errorMessage(error)}); run \`ctvs gascity backfill\` to take them`,
      );
    }
  }

  #malformedFrame(reason: string): void {
    this.#status.malformed_frames++;
    if (this.#warnedMalformed) return;
    this.#warnedMalformed = true;
    const { city, sessionId } = this.#options.session;
    this.#options.log(
      `gascity ${city}: skipped a malformed frame of session ${sessionId} (${reason}); ` +
        "later ones are counted in `ctvs gascity status`",
    );
  }

  #failed(error: unknown): void {
    this.#status.last_error = errorMessage(error);
    if (this.#failing) return;
    this.#failing = true;
    const { city, sessionId } = this.#options.session;
    this.#options.log(`gascity ${city}: session ${sessionId}: ${errorMessage(error)}; retrying`);
  }

  #recovered(): void {
    if (!this.#failing) return;
    this.#failing = false;
    this.#status.last_error = null;
    const { city, sessionId } = this.#options.session;
    this.#options.log(`gascity ${city}: session ${sessionId}: streaming again`);
  }
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
