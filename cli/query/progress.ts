/**
 * One progress line on stderr, redrawn in place, for long refreshes and exports: rows so far, megabytes read and
 * the read rate. Only on a terminal: piped or redirected, nothing is printed.
 *
 * @module
 */
import process from "node:process";

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
