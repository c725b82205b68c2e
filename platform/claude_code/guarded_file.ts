/**
 * Reading and rewriting a user's own file (Claude Code settings, Codex config) safely: an atomic replace that keeps
 * the file's mode, and a refusal to write when the file changed on disk since it was read.
 *
 * @module
 */
import fs from "node:fs/promises";
import { atomicWrite } from "../atomic_write.ts";

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
  await atomicWrite(snapshot.path, text, { mode: snapshot.mode ?? 0o600 });
}
