/**
 * Replacing a file atomically and durably: the new content goes to a temporary file in the same directory, is
 * flushed to disk (fsync), gets its mode, and is renamed over the target; then the directory is flushed so the
 * rename itself survives a power loss. A reader sees the old content or the new, never half of either; a process
 * killed at any point leaves the old file (and at worst a `*.tmp` file beside it).
 *
 * Every file collectivus replaces goes through here: cursors, manifests, Parquet parts and exports, downloads,
 * users' settings files, daemon units, token stores. New files are private (0600) unless the caller says otherwise,
 * and a parent directory this creates is 0700.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";

/** Options of {@linkcode atomicWrite} and {@linkcode stageFile}. */
export interface AtomicWriteOptions {
  /** The file's permission bits (default 0o600). Set exactly, whatever the umask. */
  mode?: number;
  /** The mode of parent directories this creates (default 0o700); existing ones are left as they are. */
  dirMode?: number;
}

/** A temporary file that will replace its target on {@linkcode StagedFile.commit}. */
export interface StagedFile {
  /** Where to write the content (a fresh, empty file with the final mode, in the target's directory). */
  readonly path: string;
  /** Flushes the temporary file, renames it over the target and flushes the directory. */
  commit(): Promise<void>;
  /** Removes the temporary file if it was not committed; safe to call after commit (does nothing). */
  discard(): Promise<void>;
}

/**
 * Writes `data` to `file` atomically and durably (see the module doc).
 *
 * @param file The file to create or replace.
 * @param data Its new content.
 * @param options The file's mode (default 0o600) and the mode of directories created for it (default 0o700).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/aw-`);
 * const file = `${dir}/state/cursor.json`;
 * await atomicWrite(file, '{"offset":42}\n');
 * assert.equal(readFileSync(file, "utf8"), '{"offset":42}\n');
 * assert.equal(statSync(file).mode & 0o777, 0o600);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function atomicWrite(
  file: string,
  data: string | Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const staged = await stageFile(file, options);
  try {
    await fs.writeFile(staged.path, data);
    await staged.commit();
  } finally {
    await staged.discard();
  }
}

/**
 * Starts an atomic replace of `file` whose content someone else writes (DuckDB's `COPY ... TO`, a download stream):
 * write to `staged.path`, then `commit()`; `discard()` in a `finally` cleans up a failure.
 *
 * @param file The file to create or replace.
 * @param options The file's mode (default 0o600) and the mode of directories created for it (default 0o700).
 * @returns The staged temporary file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/aw-`);
 * const file = `${dir}/export.csv`;
 * const staged = await stageFile(file, { mode: 0o644 });
 * try {
 *   writeFileSync(staged.path, "a,b\n1,2\n");
 *   assert.equal(existsSync(file), false);
 *   await staged.commit();
 * } finally {
 *   await staged.discard();
 * }
 * assert.equal(readFileSync(file, "utf8"), "a,b\n1,2\n");
 * assert.equal(existsSync(staged.path), false);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function stageFile(file: string, options: AtomicWriteOptions = {}): Promise<StagedFile> {
  const mode = options.mode ?? 0o600;
  const dir = path.dirname(file);
  await fs.mkdir(dir, { recursive: true, mode: options.dirMode ?? 0o700 });
  const tmp = `${file}.${process.pid}-${randomBytes(6).toString("hex")}.tmp`;
  // Created with the final mode up front, so the content is never readable more widely than the file will be.
  await (await fs.open(tmp, "wx", mode)).close();
  let settled = false;
  return {
    path: tmp,
    async commit() {
      if (settled) throw new Error(`Cannot commit ${file}: already committed or discarded`);
      const handle = await fs.open(tmp, "r+");
      try {
        // The umask may have narrowed the mode given to open(), and a writer may have recreated the file.
        await handle.chmod(mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
      settled = true;
      await syncDir(dir);
    },
    async discard() {
      if (settled) return;
      settled = true;
      await fs.rm(tmp, { force: true });
    },
  };
}

/**
 * Flushes a directory's entries (a rename or a new file in it) to disk. Windows cannot open a directory for this;
 * NTFS journals the rename itself, so there it is skipped.
 *
 * @example
 * ```ts
 * import { mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/aw-`);
 * await syncDir(dir);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === "win32") return;
  const handle = await fs.open(dir, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
