/**
 * What a subcommand is: a name, a one-line summary for `ctvs --help`, and a run function.
 */
import type { Io } from "./io.ts";

/** One `ctvs <name> ...` subcommand. */
export interface Command {
  readonly name: string;
  /** One line for the command list in `ctvs --help`. */
  readonly summary: string;
  /** Runs with the arguments after the name; resolves with the exit code. */
  run(argv: string[], io: Io): Promise<number>;
}
