/**
 * A mistake in how a command was called. The dispatcher prints `error: <message>`, a blank line and the command's
 * usage to stderr, and exits 2.
 */
export class UsageError extends Error {
  /** The usage text of the command that was misused. */
  readonly usage: string;

  constructor(message: string, usage: string) {
    super(message);
    this.name = "UsageError";
    this.usage = usage;
  }
}
