/**
 * One `gascity_events` row from one city event envelope (`{seq, type, ts, actor, subject?, message?, payload,
 * workflow?}`), as written to `<root>/<gateway_id>/gascity_events/<date>.jsonl`. `gateway_id` and `date` are added by
 * the query side, as for every signal.
 *
 * @module
 */

/** The envelope fields a row takes; the whole envelope is kept in `raw_event`. */
export interface EventEnvelope {
  seq?: unknown;
  type?: unknown;
  ts?: unknown;
  actor?: unknown;
  subject?: unknown;
  message?: unknown;
  payload?: unknown;
  [key: string]: unknown;
}

/**
 * The row of `envelope`, received from `city`'s stream on the supervisor at `supervisorUrl`. `seq` is the envelope's
 * (or the SSE id's) sequence number; `epoch` counts restarts of the supervisor's log, so `event_id` stays unique.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const row = eventRow({ seq: 21, type: "mail.sent", ts: "2026-04-17T15:20:52Z", actor: "human", subject: "mayor",
 *   message: "hello" }, { city: "mc-city", supervisorUrl: "http://127.0.0.1:8372", seq: 21, type: "mail.sent", epoch: 0 });
 * assert.equal(row.event_id, "city:mc-city:seq:21");
 * assert.equal(row.payload, null);
 * ```
 */
export function eventRow(
  envelope: EventEnvelope,
  context: { city: string; supervisorUrl: string; seq: number | null; type: string | null; epoch: number },
): Record<string, unknown> {
  const { city, seq, epoch } = context;
  const id = seq === null ? null : `city:${city}:${epoch > 0 ? `e${epoch}:` : ""}seq:${seq}`;
  return {
    event_scope: "city",
    city,
    supervisor_url: context.supervisorUrl,
    seq,
    event_id: id,
    type: context.type,
    ts: text(envelope.ts),
    actor: text(envelope.actor),
    subject: text(envelope.subject),
    message: text(envelope.message),
    payload: envelope.payload ?? null,
    raw_event: envelope,
  };
}

function text(value: unknown): string | null {
  return typeof value === "string" && value !== "" ? value : null;
}
