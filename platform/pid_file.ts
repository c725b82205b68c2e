/**
 * The PID file a standalone daemon keeps while it runs, so `ctvs status` and service managers can find it.
 *
 * @module
 */
import fs from "node:fs/promises";
import process from "node:process";
import { atomicWrite } from "./atomic_write.ts";
import { unlessMissing } from "./fs_error.ts";

/**
 * Writes this process's PID to `file` (creating its directory). Returns the PID of another live process that the
 * file named before, if any, so the caller can warn that two daemons may be running.
 */
export async function writePidFile(file: string): Promise<number | undefined> {
  const previous = await readPid(file);
  // Atomic: `ctvs status` or a script reading it as it is written would otherwise find it empty.
  await atomicWrite(file, `${process.pid}\n`, { mode: 0o644 });
  return previous !== undefined && previous !== process.pid && isAlive(previous) ? previous : undefined;
}

/** Removes `file` if it still holds this process's PID (a newer daemon may have taken it over). */
export async function removePidFile(file: string): Promise<void> {
  if ((await readPid(file)) === process.pid) await fs.rm(file, { force: true });
}

/**
 * The PID in `file`, or undefined when it is missing or not a number. A file that exists but cannot be read rejects
 * with `Cannot read <file>: <reason>`.
 */
export async function readPid(file: string): Promise<number | undefined> {
  const text = await unlessMissing(fs.readFile(file, "utf8"), "read", file);
  const pid = Number.parseInt(text ?? "", 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this PID exists (signal 0 checks without sending anything). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === "EPERM";
  }
}
