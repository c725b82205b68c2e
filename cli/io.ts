/**
 * Where a command writes, and what it knows about its terminal. Commands take an `Io` instead of touching
 * `console` so tests can capture output and so JSON modes keep stdout clean.
 *
 * @module
 */
import process from "node:process";

/** Output channels and terminal facts for one command run. */
export interface Io {
  /** Writes one line (a newline is added) to stdout. */
  out(line: string): void;
  /** Writes one line (a newline is added) to stderr. */
  err(line: string): void;
  /** True when stdout is an interactive terminal. */
  readonly isTTY: boolean;
  /** False when `NO_COLOR` is set or stdout is not a terminal. */
  readonly color: boolean;
}

/** The process's real stdout and stderr. */
export function processIo(): Io {
  const isTTY = Boolean(process.stdout.isTTY);
  return {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
    isTTY,
    color: isTTY && !process.env.NO_COLOR,
  };
}
