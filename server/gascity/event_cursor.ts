/**
 * The city event cursor: the last `seq` whose event row is on disk, so a restarted collector resumes the city's
 * event stream where it stopped. It is written after the rows, never before.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../../platform/atomic_write.ts";
import { cityStateDir } from "./state_paths.ts";

/** What the cursor file holds. */
export interface EventCursor {
  /** The supervisor it counts for: a cursor of another supervisor is not resumed from. */
  api_url: string;
  /** The last event seq recorded. */
  last_seq: number;
  /** Bumped each time the supervisor's log was found restarted below the cursor (it names the seq's run). */
  epoch: number;
  updated_at: string;
}

/** `<root>/.gascity/cities/<city>/events.json`. */
export function eventCursorFile(root: string, city: string): string {
  return path.join(cityStateDir(root, city), "events.json");
}

/** The cursor of `city` for `apiUrl`; undefined when there is none (or it belongs to another supervisor). */
export async function readEventCursor(file: string, apiUrl: string): Promise<EventCursor | undefined> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return undefined;
  }
  try {
    const value = JSON.parse(text);
    if (value?.api_url !== apiUrl || !Number.isSafeInteger(value.last_seq)) return undefined;
    return {
      api_url: apiUrl,
      last_seq: value.last_seq,
      epoch: Number.isSafeInteger(value.epoch) ? value.epoch : 0,
      updated_at: String(value.updated_at ?? ""),
    };
  } catch {
    return undefined;
  }
}

/** Replaces the cursor atomically. */
export async function writeEventCursor(file: string, cursor: EventCursor): Promise<void> {
  await atomicWrite(file, `${JSON.stringify(cursor)}\n`);
}
