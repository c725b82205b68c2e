/**
 * Two days of one city's capture as the gascity listener writes them (`<root>/<gw>/gascity_messages|gascity_events/
 * <date>.jsonl`), with the repeats a crash between a write and its journal or cursor leaves: the last batch of the
 * first day written again after midnight, and a batch of the second day written twice. The message rows come from the
 * transcript the real Claude Code CLI wrote (tests/fixtures/transcripts/), made by the capture's own row maker.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type GascitySession, gascitySessionRows } from "../../../query/gascity/message_rows.ts";
import { eventRow } from "../../../server/gascity/event_row.ts";
import { lineKey } from "../../../server/gascity/line_key.ts";
import { recordedClaudeLines } from "../../fixtures/gascity_transcript.ts";
import { jsonl } from "../_fixtures.ts";

/** The agent whose session the rows are of. */
export const MAYOR: GascitySession = {
  city: "bright-lights",
  sessionId: "s-7f2",
  template: "mayor",
  rig: "rig-a",
  alias: "mayor",
  provider: "claude",
};

type Row = Record<string, unknown>;

/** The ids each day holds once its repeats are dropped. */
export interface GascityDays {
  /** `row_id`s of the first and the second day. */
  messages: [string[], string[]];
  /** `event_id`s of the first and the second day. */
  events: [string[], string[]];
}

async function writeFileOf(root: string, gw: string, signal: string, date: string, batches: Row[][]) {
  await mkdir(path.join(root, gw, signal), { recursive: true });
  await writeFile(path.join(root, gw, signal, `${date}.jsonl`), jsonl(batches.flat()));
}

/**
 * Writes `days` (the earlier first) of gateway `gw` under `root`, repeats included; resolves with the ids each day
 * shows once deduplicated.
 */
export async function writeGascityDays(root: string, gw: string, days: [string, string]): Promise<GascityDays> {
  const maker = gascitySessionRows(MAYOR, undefined);
  const batches = recordedClaudeLines().map((line) => maker.line(line, lineKey(line))).filter((b) => b.length > 0);
  const half = Math.floor(batches.length / 2);
  const [first, second] = [batches.slice(0, half), batches.slice(half)];
  await writeFileOf(root, gw, "gascity_messages", days[0], first);
  // After midnight: the first day's last batch again (its journal entry was not written), then one batch twice.
  await writeFileOf(root, gw, "gascity_messages", days[1], [first.at(-1)!, ...second, second.at(-1)!]);

  const event = (seq: number, type: string) =>
    eventRow(
      { seq, type, ts: `${days[seq < 4 ? 0 : 1]}T23:5${seq}:00Z`, actor: "gc", subject: MAYOR.sessionId },
      { city: MAYOR.city, supervisorUrl: "http://127.0.0.1:8372", seq, type, epoch: 0 },
    );
  const events = [event(1, "session.woke"), event(2, "mail.sent"), event(3, "bead.created")];
  const later = [event(4, "mail.sent"), event(5, "session.stopped")];
  await writeFileOf(root, gw, "gascity_events", days[0], [events]);
  await writeFileOf(root, gw, "gascity_events", days[1], [[events[2], later[0], later[0], later[1]]]);

  const ids = (rows: Row[][], key: string) => rows.flat().map((r) => r[key] as string);
  return {
    messages: [ids(first, "row_id"), ids(second, "row_id")],
    events: [ids([events], "event_id"), ids([later], "event_id")],
  };
}
