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
 * Turns one provider transcript line of a session into its `gascity_messages` rows (one per content block; none for
 * a line with no content, such as a file-history snapshot). `key` is the line's {@linkcode lineKey}. Throws for a
 * line it cannot read; the caller counts it as malformed and moves on.
 */
export type MessageRowMaker = (
  line: Record<string, unknown>,
  context: { session: SessionIdentity; key: string },
) => Record<string, unknown>[];

/** The signals (directories under `<root>/<gateway_id>/`) capture writes. */
export const MESSAGES_SIGNAL = "gascity_messages";
export const EVENTS_SIGNAL = "gascity_events";
