/**
 * Records the transcript lines of one session: lines already recorded (by their key) are skipped, the others are
 * turned into rows, the rows written durably, and only then their keys, their claims and the row maker's state
 * appended to the session's journal. The live stream worker and `ctvs gascity backfill` both go through it.
 *
 * @module
 */
import { lineKey } from "./line_key.ts";
import type { SessionJournal } from "./session_journal.ts";
import type { SessionIdentity, SessionRows, SessionRowsFactory } from "./types.ts";

/** What one batch of lines gave. */
export interface IngestResult {
  /** Lines not seen before. */
  lines: number;
  /** Rows written. */
  rows: number;
  /** Lines skipped as already recorded. */
  duplicates: number;
  /** Lines that are not JSON objects or that the row maker refused (counted, recorded as seen, never retried). */
  malformed: number;
}

/** Options of a {@linkcode SessionRecorder}. */
export interface SessionRecorderOptions {
  journal: SessionJournal;
  session: SessionIdentity;
  rows: SessionRowsFactory;
  /** Writes rows durably; resolves once they are on disk. */
  write(rows: Record<string, unknown>[]): Promise<void>;
  /**
   * Whether the row maker goes on from the journal's saved state and saves its own (the live stream, which reads a
   * session in order), or starts fresh and saves none (a backfill, which may read older lines after newer ones).
   */
  keepState?: boolean;
  /** One line per malformed line, for the log. */
  onMalformed?(reason: string): void;
}

/** See the module doc. Batches must not overlap: await one `ingest` before the next. */
export class SessionRecorder {
  readonly journal: SessionJournal;
  readonly session: SessionIdentity;
  readonly #options: SessionRecorderOptions;
  #rows: SessionRows;

  constructor(options: SessionRecorderOptions) {
    this.journal = options.journal;
    this.session = options.session;
    this.#options = options;
    this.#rows = options.rows(options.session, options.keepState === false ? undefined : options.journal.state);
  }

  /**
   * Records `lines` (provider transcript lines, as parsed from a frame, oldest first). Rejects when the rows cannot
   * be written: nothing of the batch is then marked recorded and the row maker is put back as it was, so the same
   * lines are taken again, identically, when they come back.
   */
  async ingest(lines: readonly unknown[]): Promise<IngestResult> {
    const result: IngestResult = { lines: 0, rows: 0, duplicates: 0, malformed: 0 };
    const rows: Record<string, unknown>[] = [];
    const keys: string[] = [];
    const batch = new Set<string>();
    const claimed = new Set<string>();
    const claims = {
      has: (claim: string) => claimed.has(claim) || this.journal.hasClaim(claim),
      add: (claim: string) => void claimed.add(claim),
    };
    const before = this.#rows.state;
    for (const raw of lines) {
      const line = typeof raw === "string" ? parseLine(raw) : raw;
      const key = lineKey(line);
      if (this.journal.has(key) || batch.has(key)) {
        result.duplicates++;
        continue;
      }
      batch.add(key);
      keys.push(key);
      result.lines++;
      if (!isObject(line)) {
        result.malformed++;
        this.#options.onMalformed?.(`a transcript line that is not a JSON object (${describe(raw)})`);
        continue;
      }
      try {
        rows.push(...this.#rows.line(line, key, claims));
      } catch (error) {
        result.malformed++;
        this.#options.onMalformed?.(`line ${key}: ${(error as Error).message}`);
      }
    }
    if (keys.length === 0) return result;
    try {
      if (rows.length > 0) await this.#options.write(rows);
    } catch (error) {
      this.#rows = this.#options.rows(this.session, before);
      throw error;
    }
    await this.journal.append(keys, this.#options.keepState === false ? undefined : this.#rows.state, [...claimed]);
    result.rows = rows.length;
    return result;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A line sent as a string (a provider that nests its JSONL as text) is parsed; anything else stays as it is. */
function parseLine(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function describe(value: unknown): string {
  const text = typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
