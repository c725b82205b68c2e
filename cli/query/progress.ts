/**
 * One progress line on stderr, redrawn in place, for long refreshes and exports: rows so far, megabytes read and
 * the read rate. Only on a terminal: piped or redirected, nothing is printed.
 *
 * @module
 */
import process from "node:process";
import type { Db } from "../../query/duckdb.ts";
import type { PartitionStatus } from "../../query/partition_status.ts";
import { partitionLabel } from "../../query/partitions.ts";
import type { Io } from "../io.ts";

/** Rows and bytes of the work in progress. */
export interface ProgressState {
  label: string;
  rows: number;
  bytes: number;
}

/**
 * The text of a progress line.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(
 *   progressLine("refreshing", { label: "logs/gw/2025-03-01", rows: 12345, bytes: 3_700_000 }, 2),
 *   "refreshing logs/gw/2025-03-01: 12,345 rows, 3.7 MB (1.9 MB/s)",
 * );
 * ```
 */
export function progressLine(verb: string, state: ProgressState, seconds: number): string {
  const mb = state.bytes / 1e6;
  const rate = mb / Math.max(0.001, seconds);
  return `${verb} ${state.label}: ${state.rows.toLocaleString("en-US")} rows, ${mb.toFixed(1)} MB (${
    rate.toFixed(1)
  } MB/s)`;
}

/** A progress line on stderr when it is a terminal; every method is a no-op otherwise. */
export class Progress {
  readonly tty: boolean;
  #verb: string;
  #started = Date.now();
  #shown = false;

  constructor(verb: string, tty = Boolean(process.stderr.isTTY)) {
    this.#verb = verb;
    this.tty = tty;
  }

  /** Redraws the line. */
  show(state: ProgressState): void {
    this.text(progressLine(this.#verb, state, (Date.now() - this.#started) / 1000));
  }

  /** Redraws the line as `line` (work that is not counted in rows and bytes). */
  text(line: string): void {
    if (!this.tty) return;
    process.stderr.write(`\r\x1b[2K${line}`);
    this.#shown = true;
  }

  /** Erases the line, so the next output starts on a clean line. */
  clear(): void {
    if (!this.tty || !this.#shown) return;
    process.stderr.write("\r\x1b[2K");
    this.#shown = false;
  }
}

/** A progress line while a query reads partitions from their JSONL (`watchInPlace`). */
export interface InPlaceWatch {
  /** `io`, erasing the line (and stopping) before the first thing the query prints. */
  io(io: Io): Io;
  /** Erases the line and stops redrawing it. */
  stop(): void;
}

/**
 * On a terminal, redraws `reading <partition> from its JSONL (<MB>): <n>%` while a query reads `statuses` in place,
 * the share from DuckDB's own count of the work done; `later` says the cache is built in the background after.
 */
export function watchInPlace(
  db: Db,
  statuses: PartitionStatus[],
  later: boolean,
  progress = new Progress("reading"),
): InPlaceWatch {
  const mb = statuses.reduce((sum, s) => sum + (s.inPlace?.bytes ?? 0), 0) / 1e6;
  const what = statuses.length === 1
    ? `${partitionLabel(statuses[0].partition)} from its JSONL`
    : `${statuses.length} partitions from their JSONL`;
  const line = `reading ${what} (${mb.toFixed(1)} MB${later ? "; cached in the background after" : ""})`;
  let timer: ReturnType<typeof setInterval> | undefined;
  const draw = () => {
    const done = db.connection.progress.percentage;
    progress.text(done >= 0 ? `${line}: ${Math.floor(done)}%` : line);
  };
  if (progress.tty) {
    draw();
    timer = setInterval(draw, 200);
  }
  const stop = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    progress.clear();
  };
  return {
    io: (io) => ({
      ...io,
      out: (text) => (stop(), io.out(text)),
      err: (text) => (stop(), io.err(text)),
      isTTY: io.isTTY,
      color: io.color,
    }),
    stop,
  };
}
