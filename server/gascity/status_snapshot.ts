/**
 * The running listener's status, rewritten to `<root>/.gascity/status.json` every few seconds and at stop, so
 * `ctvs gascity list|status` can show connections, sessions and counters without talking to the daemon.
 *
 * @module
 */
import fs from "node:fs/promises";
import { atomicWrite } from "../../platform/atomic_write.ts";
import type { CityStatus } from "./city_capture.ts";

/** What `status.json` holds. */
export interface StatusSnapshot {
  version: 1;
  /** The collector's process id. */
  pid: number;
  /** False once the listener stopped (the process may be gone). */
  running: boolean;
  started_at: string;
  updated_at: string;
  cities: CityStatus[];
}

/** Writes `snapshot` atomically (mode 0600). */
export async function writeStatusSnapshot(file: string, snapshot: StatusSnapshot): Promise<void> {
  await atomicWrite(file, `${JSON.stringify(snapshot, null, 2)}\n`);
}

/** The snapshot at `file`, or undefined when there is none or it cannot be read. */
export async function readStatusSnapshot(file: string): Promise<StatusSnapshot | undefined> {
  try {
    const value = JSON.parse(await fs.readFile(file, "utf8"));
    return value?.version === 1 && Array.isArray(value.cities) ? value : undefined;
  } catch {
    return undefined;
  }
}
