/**
 * Checking that what collectivus writes is private: every file 0600 (or narrower) and every directory 0700.
 *
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";

/**
 * Every entry under `dir` (itself included) that group or other users may access, as `<relative path> <mode>`;
 * empty when all of it is private. A test asserts `deepEqual(await exposedEntries(dir), [])`.
 */
export async function exposedEntries(dir: string): Promise<string[]> {
  const found: string[] = [];
  const names = [".", ...await readdir(dir, { recursive: true })];
  for (const name of names.sort()) {
    const mode = (await stat(path.join(dir, name))).mode & 0o777;
    if (mode & 0o077) found.push(`${name} ${mode.toString(8).padStart(4, "0")}`);
  }
  return found;
}
