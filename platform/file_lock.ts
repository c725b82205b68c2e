/**
 * A lock shared by the processes of one host, on a path: for work two processes must not do at once (refreshing
 * one cache partition, rewriting a token store). A lock whose owner died (killed with SIGKILL, a crash) is taken
 * over without waiting.
 *
 * The lock is a directory of numbered generations, `<path>/<n>`, each naming the process that took it or saying
 * it was released; the highest number is the lock's state. A process takes the lock by creating the next number
 * exclusively, and only when the highest is released or its owner is dead. A released or dead generation never
 * becomes held again, so two processes that find the same dead owner both try to create the same next number and
 * exactly one succeeds; nothing is ever deleted from under a live owner (the race of "read the dead pid, unlink the
 * lock, create it again", where the second unlink removes the first taker's fresh lock). Each generation is written
 * to a temporary file and hard-linked into place, so a reader never sees half of one.
 *
 * Liveness is the owner's pid (signal 0), so the lock serves the processes of one host, not a network file system
 * shared by several. A pid reused by an unrelated process after a crash keeps the lock held until `timeoutMs`;
 * the error then names the pid and the path to remove.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { type KernelLockFile, openKernelLockFile } from "./runtime.ts";

/** Options of {@linkcode acquireFileLock} and {@linkcode withFileLock}. */
export interface FileLockOptions {
  /** How long to wait for a live owner before giving up (default 120 s; 0 tries once). */
  timeoutMs?: number;
}

/** A held lock. */
export interface FileLock {
  /** The lock's directory. */
  readonly path: string;
  /** Releases the lock; does nothing the second time. */
  release(): Promise<void>;
}

/** The lock could not be taken within `timeoutMs`. */
export class FileLockTimeoutError extends Error {
  readonly code = "ELOCKED";
  constructor(readonly lockPath: string, readonly ownerPid: number | undefined, waitedMs: number) {
    const who = ownerPid === undefined ? "another process" : `process ${ownerPid}`;
    super(
      `Cannot lock ${lockPath}: ${who} still holds it after ${Math.round(waitedMs / 1000)} s; ` +
        `if no collectivus process is running, remove ${lockPath}`,
    );
    this.name = "FileLockTimeoutError";
  }
}

interface Owner {
  pid: number;
  token: string;
}

/** What the highest generation says. */
type Top = { gen: number; owner: Owner | "released" | "broken" } | undefined;

/** Tokens of the locks this process holds: a generation naming our pid with another token is a dead predecessor's. */
const held = new Set<string>();

/**
 * Takes the lock at `lockPath` (a directory, created 0700 if missing), waiting while a live process holds it.
 *
 * @param lockPath The lock's directory.
 * @param options How long to wait.
 * @returns The held lock; call `release()` in a `finally`.
 * @throws {FileLockTimeoutError} When a live owner held it for longer than `timeoutMs`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/lock-`);
 * const lockPath = `${dir}/store.lock`;
 * const lock = await acquireFileLock(lockPath);
 * await assert.rejects(acquireFileLock(lockPath, { timeoutMs: 0 }), /Cannot lock/);
 * await lock.release();
 * await (await acquireFileLock(lockPath, { timeoutMs: 0 })).release();
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function acquireFileLock(lockPath: string, options: FileLockOptions = {}): Promise<FileLock> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const started = Date.now();
  const owner: Owner = { pid: process.pid, token: randomBytes(8).toString("hex") };
  // Registered before the generation exists, so another acquire in this process never takes it for a dead one.
  held.add(owner.token);
  try {
    let pause = 5;
    while (true) {
      const top = await readTop(lockPath);
      if (top === undefined || top.owner === "released" || top.owner === "broken" || !alive(top.owner)) {
        const gen = (top?.gen ?? 0) + 1;
        if (await createGeneration(lockPath, gen, owner)) {
          // A process that read an old state can create a number cleaned up since; the highest number decides.
          const names = await fs.readdir(lockPath);
          if (highest(names) === gen) {
            await clean(lockPath, names, gen);
            return heldLock(lockPath, gen, owner);
          }
          await fs.rm(path.join(lockPath, String(gen)), { force: true });
        }
        continue;
      }
      const waited = Date.now() - started;
      if (waited >= timeoutMs) throw new FileLockTimeoutError(lockPath, top.owner.pid, waited);
      await new Promise((resolve) => setTimeout(resolve, Math.min(pause, timeoutMs - waited)));
      pause = Math.min(pause * 2, 100);
    }
  } catch (err) {
    held.delete(owner.token);
    throw err;
  }
}

/**
 * Runs `work` holding the lock at `lockPath` (see {@linkcode acquireFileLock}), and releases it however `work` ends.
 *
 * @param lockPath The lock's directory.
 * @param work What to do while holding it.
 * @param options How long to wait.
 * @returns What `work` returns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/lock-`);
 * const lockPath = `${dir}/partition.lock`;
 * let inside = 0;
 * const work = () => withFileLock(lockPath, async () => {
 *   inside++;
 *   assert.equal(inside, 1);
 *   await new Promise((resolve) => setTimeout(resolve, 5));
 *   inside--;
 * });
 * await Promise.all([work(), work(), work()]);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function withFileLock<T>(
  lockPath: string,
  work: () => Promise<T>,
  options: FileLockOptions = {},
): Promise<T> {
  const lock = await acquireFileLock(lockPath, options);
  try {
    return await work();
  } finally {
    await lock.release();
  }
}

/**
 * The pid of the live process holding the lock at `lockPath`, or undefined when it is free (never taken, released, or
 * its owner died). Only a look: the answer can change at once, so whoever must be alone still takes the lock.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import process from "node:process";
 * const dir = mkdtempSync(`${tmpdir()}/lock-`);
 * const lockPath = `${dir}/work.lock`;
 * assert.equal(await lockOwner(lockPath), undefined);
 * const lock = await acquireFileLock(lockPath);
 * assert.equal(await lockOwner(lockPath), process.pid);
 * await lock.release();
 * assert.equal(await lockOwner(lockPath), undefined);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function lockOwner(lockPath: string): Promise<number | undefined> {
  try {
    await fs.stat(lockPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const top = await readTop(lockPath);
  return top && typeof top.owner === "object" && alive(top.owner) ? top.owner.pid : undefined;
}

function heldLock(lockPath: string, gen: number, owner: Owner): FileLock {
  let released = false;
  return {
    path: lockPath,
    async release() {
      if (released) return;
      released = true;
      try {
        // A released generation stays the highest, so the number never goes back and no one can reuse it. No one
        // else creates this number while we hold the one below, and a reader that catches it half-written takes it
        // for broken, which is free too: a plain exclusive write is enough.
        await fs.writeFile(path.join(lockPath, String(gen + 1)), '{"released":true}\n', { flag: "wx", mode: 0o600 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      } finally {
        held.delete(owner.token);
      }
      await fs.rm(path.join(lockPath, String(gen)), { force: true });
    },
  };
}

function alive(owner: Owner): boolean {
  if (owner.pid === process.pid) return held.has(owner.token);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The highest generation number among directory entries `names` (0 when there is none). */
function highest(names: string[]): number {
  let top = 0;
  for (const name of names) if (/^\d+$/.test(name)) top = Math.max(top, Number(name));
  return top;
}

/** The highest generation and what it says; creates the lock directory (0700) when it is missing. */
async function readTop(lockPath: string): Promise<Top> {
  while (true) {
    let names: string[];
    try {
      names = await fs.readdir(lockPath);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw err;
      await fs.mkdir(lockPath, { recursive: true, mode: 0o700 });
      continue;
    }
    const gen = highest(names);
    if (gen === 0) return undefined;
    let text: string;
    try {
      text = await fs.readFile(path.join(lockPath, String(gen)), "utf8");
    } catch (err) {
      // Cleaned up by a newer owner between the listing and the read: list again.
      if ((err as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw err;
    }
    return { gen, owner: parseOwner(text) };
  }
}

function parseOwner(text: string): Owner | "released" | "broken" {
  try {
    const value = JSON.parse(text);
    if (value?.released === true) return "released";
    if (Number.isInteger(value?.pid) && value.pid > 0 && typeof value.token === "string") return value;
  } catch {
    // Not written by this module (generations are linked into place whole): nobody can be holding it.
  }
  return "broken";
}

/** Creates generation `gen` naming `owner`, exclusively and whole; false when it already exists. */
async function createGeneration(lockPath: string, gen: number, owner: Owner): Promise<boolean> {
  const tmp = path.join(lockPath, `.tmp-${process.pid}-${randomBytes(6).toString("hex")}`);
  await fs.writeFile(tmp, `${JSON.stringify(owner)}\n`, { flag: "wx", mode: 0o600 });
  try {
    await fs.link(tmp, path.join(lockPath, String(gen)));
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw err;
  } finally {
    await fs.rm(tmp, { force: true });
  }
}

/** Removes generations below `gen` and temporary files of dead processes, among the entries `names`. */
async function clean(lockPath: string, names: string[], gen: number): Promise<void> {
  for (const name of names) {
    const tmpPid = /^\.tmp-(\d+)-/.exec(name)?.[1];
    const stale = /^\d+$/.test(name)
      ? Number(name) < gen
      : tmpPid !== undefined && Number(tmpPid) !== process.pid && !alive({ pid: Number(tmpPid), token: "" });
    if (stale) await fs.rm(path.join(lockPath, name), { force: true });
  }
}

/** Kernel lock files kept open by a {@linkcode HotLocks}. */
const MAX_OPEN_LOCK_FILES = 256;

/**
 * Locks taken many times a second on a few paths (Central's ingest, once per batch and gateway signal): the kernel's
 * exclusive flock on a lock file kept open, one system call to take and one to release, released by the kernel
 * when the process dies (also on an NFSv4 share). Where the runtime has no flock (Node), each falls back to
 * {@linkcode withFileLock} on `<path>.lock`. The kernel lock serves processes, not the callers of one process: they
 * must not take one path twice at once (serialize them first).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const locks = new HotLocks();
 * const dir = mkdtempSync(`${tmpdir()}/hot-`);
 * const path = `${dir}/gw-logs`;
 * assert.equal(await locks.with(path, async () => 7), 7);
 * locks.close();
 * rmSync(dir, { recursive: true });
 * ```
 */
export class HotLocks {
  readonly #files = new Map<string, Promise<KernelLockFile | undefined>>();
  readonly #busy = new Set<string>();

  /** Runs `work` holding the lock named `path` (the file `<path>.flock`, or the directory `<path>.lock`). */
  async with<T>(name: string, work: () => Promise<T>): Promise<T> {
    const file = await this.#open(name);
    if (!file) return await withFileLock(`${name}.lock`, work);
    this.#busy.add(name);
    try {
      await file.lock();
      try {
        return await work();
      } finally {
        await file.unlock();
      }
    } finally {
      this.#busy.delete(name);
    }
  }

  /** Closes the lock files (locks still held stay held until their work ends). */
  close(): void {
    for (const [name, file] of this.#files) {
      if (!this.#busy.has(name)) void file.then((f) => f?.close(), () => {});
    }
    this.#files.clear();
  }

  #open(name: string): Promise<KernelLockFile | undefined> {
    let file = this.#files.get(name);
    if (file) {
      // Most recently used last, so the first idle entry is the one to close.
      this.#files.delete(name);
    } else {
      file = fs.mkdir(path.dirname(name), { recursive: true, mode: 0o700 })
        .then(() => openKernelLockFile(`${name}.flock`));
      if (this.#files.size >= MAX_OPEN_LOCK_FILES) {
        for (const [old, oldFile] of this.#files) {
          if (this.#busy.has(old)) continue;
          this.#files.delete(old);
          void oldFile.then((f) => f?.close(), () => {});
          break;
        }
      }
    }
    this.#files.set(name, file);
    return file;
  }
}
