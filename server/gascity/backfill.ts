/**
 * Backfill of one session through the supervisor's transcript route (`format=raw`): the pages are read newest
 * first, one compaction window each (`tail=1`, then `before=` the page's first entry), until the oldest or the
 * session's deadline; then what was read is recorded oldest first, each line once (the session journal skips what
 * the live stream or an earlier backfill recorded). A deadline that passes keeps the pages read so far: the newest
 * lines are recorded, the oldest wait for a run with a longer `--timeout`.
 *
 * @module
 */
import { errorMessage } from "../../platform/runtime.ts";
import { journalFile, SessionJournal } from "./session_journal.ts";
import { SessionRecorder } from "./session_recorder.ts";
import { type SessionInfo, type SupervisorClient, SupervisorError } from "./supervisor_client.ts";
import type { SessionIdentity, SessionRowsFactory } from "./types.ts";

/** What a session's backfill did. */
export interface SessionBackfill {
  city: string;
  session_id: string;
  template: string | null;
  /** `done`: every page read; `partial`: the deadline passed first; `failed`: nothing could be read. */
  outcome: "done" | "partial" | "failed";
  pages: number;
  /** Lines read from the supervisor. */
  lines_read: number;
  /** The transcript's length as the supervisor reported it. */
  total_lines: number | null;
  /** Lines recorded now (not recorded before). */
  lines_recorded: number;
  rows: number;
  malformed_lines: number;
  seconds: number;
  error: string | null;
}

/** Options of {@linkcode backfillSession}. */
export interface BackfillOptions {
  client: SupervisorClient;
  /** The recordings root (`.gascity/` state). */
  root: string;
  city: string;
  apiUrl: string;
  rows: SessionRowsFactory;
  /** Writes rows durably. */
  write(rows: Record<string, unknown>[]): Promise<void>;
  /** The most time spent on the session. */
  timeoutMs: number;
  /** After each page read. */
  onPage?(progress: { pages: number; linesRead: number; totalLines: number | null }): void;
}

/** The most pages read of one session: a supervisor whose `before` cursor does not move must not loop forever. */
const MAX_PAGES = 10_000;

/** Backfills session `info`; never throws (a failure is the outcome `failed`, with its error). */
export async function backfillSession(info: SessionInfo, options: BackfillOptions): Promise<SessionBackfill> {
  const started = Date.now();
  const { client, city } = options;
  const result: SessionBackfill = {
    city,
    session_id: info.id,
    template: info.template || null,
    outcome: "done",
    pages: 0,
    lines_read: 0,
    total_lines: null,
    lines_recorded: 0,
    rows: 0,
    malformed_lines: 0,
    seconds: 0,
    error: null,
  };
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const pages: unknown[][] = [];
  let provider = info.provider || null;
  try {
    let before: string | undefined;
    for (let n = 0; n < MAX_PAGES; n++) {
      const page = await client.transcript(city, info.id, before ? { before, tail: 1 } : { tail: 1 }, {
        signal: deadline,
        timeoutMs: Math.max(1, options.timeoutMs - (Date.now() - started)),
      });
      provider ??= page.provider ?? null;
      pages.unshift(page.messages);
      result.pages++;
      result.lines_read += page.messages.length;
      result.total_lines = page.pagination?.total_message_count ?? result.total_lines;
      options.onPage?.({ pages: result.pages, linesRead: result.lines_read, totalLines: result.total_lines });
      const next = page.pagination?.truncated_before_message;
      if (!page.pagination?.has_older_messages || !next || next === before) break;
      before = next;
    }
  } catch (error) {
    if (pages.length === 0) {
      result.outcome = "failed";
      result.error = deadline.aborted ? `no answer within ${options.timeoutMs / 1000} s` : errorMessage(error);
      result.seconds = (Date.now() - started) / 1000;
      return result;
    }
    result.outcome = "partial";
    result.error = deadline.aborted
      ? `the oldest lines were not reached within ${options.timeoutMs / 1000} s`
      : errorMessage(error);
  }
  try {
    const session: SessionIdentity = {
      city,
      apiUrl: options.apiUrl,
      sessionId: info.id,
      template: info.template || null,
      rig: info.rig || null,
      alias: info.alias || null,
      provider,
    };
    const recorder = new SessionRecorder({
      journal: await SessionJournal.open(journalFile(options.root, city, info.id)),
      session,
      rows: options.rows,
      write: options.write,
      keepState: false,
    });
    for (const lines of pages) {
      const r = await recorder.ingest(lines);
      result.lines_recorded += r.lines;
      result.rows += r.rows;
      result.malformed_lines += r.malformed;
    }
  } catch (error) {
    result.outcome = "failed";
    result.error = `Cannot record: ${errorMessage(error)}`;
  }
  result.seconds = Math.round((Date.now() - started) / 100) / 10;
  return result;
}

/** Whether an error means the session is unknown to the supervisor. */
export function isGone(error: unknown): boolean {
  return error instanceof SupervisorError && error.status === 404;
}
