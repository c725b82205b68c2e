/**
 * The sessions of one city being recorded: a {@linkcode SessionWorker} per live session whose template passes the
 * city's filters, started and retired as the city's lifecycle events and session list say. A worker of a session
 * that stopped reads its last lines before it ends; a new worker of the same session waits for it.
 *
 * @module
 */
import type { GascityConfig } from "../../platform/config/types.ts";
import { errorMessage } from "../../platform/runtime.ts";
import type { BackoffOptions } from "./backoff.ts";
import type { EventEnvelope } from "./event_row.ts";
import { journalFile, SessionJournal } from "./session_journal.ts";
import { SessionRecorder } from "./session_recorder.ts";
import { SessionWorker, type WorkerStatus } from "./session_worker.ts";
import type { SessionInfo, SupervisorClient } from "./supervisor_client.ts";
import { templateRecorded } from "./template_filter.ts";
import type { SessionIdentity, SessionRowsFactory } from "./types.ts";

/** Lifecycle types after which a session has a transcript that grows. */
const STARTS = new Set([
  "request.result.session.create",
  "session.created", // older builds
  "session.woke",
  "session.pending",
  "session.undrained",
]);
/** Lifecycle types after which a session's transcript no longer grows. */
const ENDS = new Set([
  "session.stopped",
  "session.crashed",
  "session.suspended",
  "session.idle_killed",
  "session.max_age_killed",
  "session.quarantined",
  "session.closed",
]);
/** Session states with no running agent. */
const NOT_LIVE = new Set(["closed", "asleep", "suspended", "quarantined", "stopped", "crashed"]);

/** What an event type means for the sessions: one starts or wakes, one ends, or nothing. */
export function lifecycleOf(type: string | null): "start" | "end" | undefined {
  if (type === null) return undefined;
  return STARTS.has(type) ? "start" : ENDS.has(type) ? "end" : undefined;
}

/** Whether a session has a running agent (its transcript may grow): any state but closed, asleep and the like. */
export function isLive(info: SessionInfo): boolean {
  return !NOT_LIVE.has(info.state ?? "");
}

/**
 * The most sessions of one city recorded at once (each holds a stream, a connection and its memory): 256. A city
 * listing more (a broken or hostile supervisor) would otherwise open a connection per session until the process runs
 * out of file descriptors or memory. The others get a worker as recorded ones stop.
 */
export const MAX_SESSIONS_PER_CITY = 256;

/** Options of a {@linkcode SessionRoster}. */
export interface SessionRosterOptions {
  city: GascityConfig;
  root: string;
  client: SupervisorClient;
  rows: SessionRowsFactory;
  writeMessages(rows: Record<string, unknown>[]): Promise<void>;
  log(line: string): void;
  /** A transcript line that could not be read. */
  onMalformedLine(reason: string): void;
  idleMs: number;
  catchUpTimeoutMs: number;
  backoff?: BackoffOptions;
  /** Ends lookups when the city's capture stops. */
  signal: AbortSignal;
  /** Sessions recorded at once (default {@linkcode MAX_SESSIONS_PER_CITY}). */
  maxSessions?: number;
}

/** The workers of one city's sessions; see the module doc. Calls must not overlap (the capture serializes them). */
export class SessionRoster {
  readonly #options: SessionRosterOptions;
  readonly #workers = new Map<string, SessionWorker>();
  /** Workers of stopped sessions reading their last lines, by session id. */
  readonly #retiring = new Map<string, Promise<void>>();
  /** Whether sessions are being left out for the bound (said once per streak). */
  #full = false;

  constructor(options: SessionRosterOptions) {
    this.#options = options;
  }

  /** The status of each session being recorded. */
  get statuses(): WorkerStatus[] {
    return [...this.#workers.values()].map((w) => w.status);
  }

  /** Stops every worker (their writes in flight finish) and waits for those reading their last lines. */
  async stop(): Promise<void> {
    await Promise.all([...this.#workers.values()].map((w) => w.stop()));
    await Promise.all(this.#retiring.values());
  }

  /** Compares the live sessions with the workers: starts the missing ones, retires those no longer live. */
  async reconcile(): Promise<void> {
    const { city } = this.#options;
    let sessions: Awaited<ReturnType<SupervisorClient["listSessions"]>>;
    try {
      sessions = await this.#options.client.listSessions(city.name, this.#options.signal);
    } catch (error) {
      if (!this.#options.signal.aborted) {
        this.#options.log(`gascity ${city.name}: cannot list the sessions (${errorMessage(error)}); retrying later`);
      }
      return;
    }
    const live = new Set<string>();
    for (let info of sessions) {
      if (!isLive(info)) continue;
      if (info.template === undefined) info = await this.#lookup(info.id) ?? info;
      if (!templateRecorded(city, info.template)) continue;
      live.add(info.id);
      this.#ensureWorker(info);
    }
    // In a partial list (the supervisor could not read some sessions) a missing session may be live: only those
    // listed as not live are retired.
    const listed = new Set(sessions.map((s) => s.id));
    for (const [id, worker] of this.#workers) {
      if (!live.has(id) && (!sessions.partial || listed.has(id))) this.#retire(id, worker);
    }
  }

  /** A session was created or woke (`envelope` names it, or carries it whole): it gets a worker if it qualifies. */
  async started(envelope: EventEnvelope): Promise<void> {
    const payload = (envelope.payload ?? {}) as Record<string, unknown>;
    const fromPayload = payload.session && typeof payload.session === "object"
      ? payload.session as Partial<SessionInfo>
      : undefined;
    const id = fromPayload?.id ?? sessionIdOf(envelope);
    if (!id) return;
    const info = await this.#lookup(id) ?? (fromPayload?.id ? fromPayload as SessionInfo : undefined);
    if (!info || !isLive(info) || !templateRecorded(this.#options.city, info.template)) return;
    this.#ensureWorker(info);
  }

  /** A session stopped, crashed or was put to sleep: its worker reads its last lines and ends. */
  async ended(envelope: EventEnvelope): Promise<void> {
    const id = sessionIdOf(envelope);
    if (!id) return;
    // The subject may name the session by its alias rather than its id.
    let key = this.#workers.has(id) ? id : [...this.#workers].find(([, w]) => w.status.alias === id)?.[0];
    key ??= (await this.#lookup(id))?.id;
    const worker = key === undefined ? undefined : this.#workers.get(key);
    if (worker) this.#retire(key!, worker);
  }

  /** The session `id` (or alias) as the supervisor describes it now; undefined when unknown or unreachable. */
  async #lookup(id: string): Promise<SessionInfo | undefined> {
    try {
      return await this.#options.client.getSession(this.#options.city.name, id, this.#options.signal);
    } catch {
      return undefined;
    }
  }

  #ensureWorker(info: SessionInfo): void {
    const current = this.#workers.get(info.id);
    if (current && !current.retiring && !current.done) return;
    const { city, root } = this.#options;
    const max = this.#options.maxSessions ?? MAX_SESSIONS_PER_CITY;
    // Retiring workers still hold their connection while they read their last lines.
    if (!current && this.#workers.size + this.#retiring.size >= max) {
      if (!this.#full) {
        this.#options.log(
          `gascity ${city.name}: more than ${max} live sessions; the others are recorded as these stop ` +
            `(ctvs gascity backfill reads what they said meanwhile)`,
        );
      }
      this.#full = true;
      return;
    }
    if (this.#workers.size + this.#retiring.size + 1 < max) this.#full = false;
    const session: SessionIdentity = {
      city: city.name,
      apiUrl: city.api_url,
      sessionId: info.id,
      template: info.template || null,
      rig: info.rig || null,
      alias: info.alias || null,
      provider: info.provider || null,
    };
    const worker = new SessionWorker({
      client: this.#options.client,
      session,
      open: async () =>
        new SessionRecorder({
          journal: await SessionJournal.open(journalFile(root, city.name, info.id)),
          session,
          rows: this.#options.rows,
          write: this.#options.writeMessages,
          onMalformed: this.#options.onMalformedLine,
        }),
      // A worker of the same session still reading its last lines finishes first.
      after: this.#retiring.get(info.id),
      log: this.#options.log,
      idleMs: this.#options.idleMs,
      catchUpTimeoutMs: this.#options.catchUpTimeoutMs,
      backoff: this.#options.backoff,
    });
    this.#workers.set(info.id, worker);
    worker.start();
  }

  #retire(id: string, worker: SessionWorker): void {
    if (this.#workers.get(id) === worker) this.#workers.delete(id);
    const before = this.#retiring.get(id);
    const done: Promise<void> = Promise.all([before, worker.retire()]).then(() => {
      if (this.#retiring.get(id) === done) this.#retiring.delete(id);
    });
    this.#retiring.set(id, done);
  }
}

/** The session an event is about: its payload's `session_id`, else its subject. */
function sessionIdOf(envelope: EventEnvelope): string | undefined {
  const payload = (envelope.payload ?? {}) as Record<string, unknown>;
  for (const value of [payload.session_id, payload.sessionId, envelope.subject]) {
    if (typeof value === "string" && value !== "") return value;
  }
  return undefined;
}
