/**
 * Recordings hold whole prompts and tool output, so their directory should keep other users of the host out. New
 * files and directories are created private (0600/0700); a root created by an older version, or by hand, may still
 * let others in, and changing the modes of a directory the user chose is theirs to decide: this says so instead.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import process from "node:process";

/**
 * A warning when `dir` grants group or other users any access, else undefined (also on Windows, where modes do not
 * apply, and when `dir` does not exist).
 *
 * @param dir The recording root (or any directory of private data).
 * @param what What the directory holds, for the message ("recordings", "the query cache").
 * @returns The warning, with the command that fixes it.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { chmodSync, mkdtempSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/exposed-`);
 * chmodSync(dir, 0o700);
 * assert.equal(await exposedDirWarning(dir, "recordings"), undefined);
 * chmodSync(dir, 0o755);
 * assert.equal(
 *   await exposedDirWarning(dir, "recordings"),
 *   `warning: recordings in ${dir} are readable by other users of this host (mode 0755); run: chmod 700 ${dir}`,
 * );
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function exposedDirWarning(dir: string, what: string): Promise<string | undefined> {
  if (process.platform === "win32") return undefined;
  let mode: number;
  try {
    mode = (await stat(dir)).mode & 0o777;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  if ((mode & 0o077) === 0) return undefined;
  const octal = mode.toString(8).padStart(4, "0");
  return `warning: ${what} in ${dir} are readable by other users of this host (mode ${octal}); run: chmod 700 ${dir}`;
}
