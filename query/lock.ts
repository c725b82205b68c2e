/**
 * A lock file per cache partition, so two `ctvs query` runs never refresh the same partition at once. The lock holds
 * the owner's pid; a lock whose owner is dead (a refresh killed with SIGKILL) is taken over.
 *
 * @module
 */
import { open, readFile, unlink } from "node:fs/promises";
import process from "node:process";

/** Options of {@linkcode withLock}. */
export interface LockOptions {
  /** How long to wait for a live owner before giving up (default 120 s). */
  timeoutMs?: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function tryTake(file: string): Promise<boolean> {
  try {
    const handle = await open(file, "wx");
    await handle.writeFile(String(process.pid));
    await handle.close();
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    const pid = Number(await readFile(file, "utf8").catch(() => ""));
    // An empty file is a lock being written right now; only a readable dead pid is stale.
    if (Number.isInteger(pid) && pid > 0 && !alive(pid)) {
      await unlink(file).catch(() => {});
    }
    return false;
  }
}

/**
 * Runs `work` holding the lock at `file`; waits while another live process holds it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const file = `${mkdtempSync(`${tmpdir()}/lock-`)}/x.lock`;
 * assert.equal(await withLock(file, async () => 42), 42);
 * ```
 */
export async function withLock<T>(file: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 120_000);
  while (!await tryTake(file)) {
    if (Date.now() > deadline) throw new Error(`Cannot lock ${file}: another refresh has held it too long`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  try {
    return await work();
  } finally {
    await unlink(file).catch(() => {});
  }
}
