/**
 * What Gas City capture shares between the live listener, the backfill and the row makers passed in from above
 * server/ (the part-grain normalizer and the price table live in query/).
 *
 * @module
 */

/** Who a session is: the city, and the agent identity the supervisor gives it. */
export interface SessionIdentity {
  city: string;
  /** The supervisor's base URL. */
  apiUrl: string;
  sessionId: string;
  template: string | null;
  rig: string | null;
  alias: string | null;
  /** `claude`, `codex`, ...: which provider wrote the transcript lines. */
  provider: string | null;
}

/**
 * Turns the provider transcript lines of one session, in order, into `gascity_messages` rows (one per content
 * block; none for a line with nothing to record). It keeps what a line needs of the lines before it (the message a
 * line continues, open tool calls, usage already counted) as plain JSON {@linkcode SessionRows.state}, saved with
 * the session's journal so a restarted capture goes on where it stopped.
 */
export interface SessionRows {
  /**
   * The rows of `line`, whose {@linkcode lineKey} is `key`; throws for a line it cannot read. `claims` holds what
   * must be counted once per session whoever records it (a request's usage, priced once): the live stream and a
   * backfill may meet the same request in different lines.
   */
  line(line: Record<string, unknown>, key: string, claims: Claims): Record<string, unknown>[];
  /** The state after the lines given so far. */
  readonly state: unknown;
}

/** Facts counted once per session, kept in the session's journal with the line keys. */
export interface Claims {
  /** Whether `claim` was made already (by this recorder or any before it). */
  has(claim: string): boolean;
  /** Makes `claim`; it is saved with the batch's keys, once its rows are on disk. */
  add(claim: string): void;
}

/** Makes the {@linkcode SessionRows} of a session, new (`state` undefined) or from a saved state. */
export type SessionRowsFactory = (session: SessionIdentity, state: unknown) => SessionRows;

/** The signals (directories under `<root>/<gateway_id>/`) capture writes. */
export const MESSAGES_SIGNAL = "gascity_messages";
export const EVENTS_SIGNAL = "gascity_events";
