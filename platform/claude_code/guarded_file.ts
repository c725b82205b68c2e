/**
 * Reading and rewriting a user's own file (Claude Code settings, Codex config) safely: an atomic replace that keeps
 * the file's mode, and a refusal to write when the file changed on disk since it was read.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";

/** What a file held when it was read: its text (undefined when missing), mtime and mode. */
export interface Snapshot {
  readonly path: string;
  readonly text: string | undefined;
  readonly mtimeMs: number | undefined;
  readonly mode: number | undefined;
}

/** The file changed between the read and the write; the caller should say so and let the user retry. */
export class ConcurrentEditError extends Error {
  readonly code = "CONCURRENT_EDIT";
  constructor(file: string) {
    super(`${file} changed on disk between read and write; retry`);
    this.name = "ConcurrentEditError";
  }
}

/** Reads `file` as a {@link Snapshot}; a missing file is a snapshot with no text. */
export async function readSnapshot(file: string): Promise<Snapshot> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, "utf8"), fs.stat(file)]);
    return { path: file, text, mtimeMs: stat.mtimeMs, mode: stat.mode & 0o7777 };
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") {
      return { path: file, text: undefined, mtimeMs: undefined, mode: undefined };
    }
    throw error;
  }
}

/**
 * Replaces the file of `snapshot` with `text` (or removes it when `text` is undefined), unless it changed on disk
 * since the snapshot: then throws {@link ConcurrentEditError}. Both mtime and content are compared, because a
 * quick editor save can keep the mtime within the filesystem's resolution.
 */
export async function writeIfUnchanged(snapshot: Snapshot, text: string | undefined): Promise<void> {
  const now = await readSnapshot(snapshot.path);
  if (now.text !== snapshot.text || now.mtimeMs !== snapshot.mtimeMs) throw new ConcurrentEditError(snapshot.path);
  if (text === undefined) {
    await fs.rm(snapshot.path, { force: true });
    return;
  }
  await atomicWrite(snapshot.path, text, snapshot.mode ?? 0o600);
}

/**
 * Writes `text` to `file` through a temporary file in the same directory (fsync, chmod, rename), so readers see
 * the old or the new content and never half of it. New directories are created 0700.
 */
export async function atomicWrite(file: string, text: string, mode: number): Promise<void> {
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await fs.open(tmp, "wx", mode);
  try {
    await handle.writeFile(text, "utf8");
    // The umask may have narrowed the mode given to open(); chmod sets it exactly.
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    await fs.rename(tmp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(tmp, { force: true });
    throw error;
  }
}
