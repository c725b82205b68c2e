/**
 * Outbox file names. A batch is one file, named once and never renamed except for its suffix, which says its state:
 * `.open` (being written), `.ndjson` (ready to ship), `.sending` (claimed by the sender). The stem is the batch id
 * Central deduplicates by: `<UTC time, ":" and "." as "-">-<pid>-<seq>-<random>`, so names sort by creation time and
 * never repeat, even across restarts that reuse a pid.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import process from "node:process";

/** The states a batch file can be in, by suffix. */
export type BatchState = "open" | "ndjson" | "sending";

let sequence = 0;

/**
 * A new batch id made at `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const id = newBatchId(new Date("2025-06-01T10:20:30.456Z"));
 * assert.match(id, /^2025-06-01T10-20-30-456Z-\d+-\d+-[0-9a-f]{6}$/);
 * assert.notEqual(newBatchId(), newBatchId());
 * ```
 */
export function newBatchId(now: Date = new Date()): string {
  const time = now.toISOString().replaceAll(":", "-").replaceAll(".", "-");
  return `${time}-${process.pid}-${++sequence}-${randomBytes(3).toString("hex")}`;
}

/**
 * The batch id and state of an outbox file name, or undefined for any other name.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseBatchName("2025-06-01T10-20-30-456Z-1-2-abcdef.sending"), {
 *   id: "2025-06-01T10-20-30-456Z-1-2-abcdef",
 *   state: "sending",
 * });
 * assert.equal(parseBatchName("notes.txt"), undefined);
 * ```
 */
export function parseBatchName(name: string): { id: string; state: BatchState } | undefined {
  const match = /^([A-Za-z0-9_-][A-Za-z0-9._-]*)\.(open|ndjson|sending)$/.exec(name);
  return match ? { id: match[1], state: match[2] as BatchState } : undefined;
}
