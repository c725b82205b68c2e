/**
 * User SQL may read the recordings root and the query cache (DuckDB `allowed_directories`), so neither may be a
 * directory that holds much else: with `sink.dir` set to `~` or `/`, `read_text('~/.ssh/id_ed25519')` would be
 * "inside the data". DuckDB resolves symbolic links before it checks a path, so a link inside the data that points
 * elsewhere is refused on its own.
 *
 * @module
 */
import { realpathSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { homeDir } from "../platform/paths.ts";

/**
 * Why `dir` is too broad for user SQL to read, or undefined when it is not: the filesystem root, a directory right
 * below it (`/home`, `/tmp`, `/var`, `C:\Users`), the system's temporary directory, the home directory, or any
 * directory above it. Symbolic links are resolved first, so an alias of `/` is caught too.
 *
 * @param dir An absolute directory.
 * @returns A reason to put in a message ("it is the home directory"), or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import os from "node:os";
 * assert.equal(tooBroadReason("/"), "it is the filesystem root");
 * assert.equal(tooBroadReason("/var"), "it is a top-level directory");
 * assert.equal(tooBroadReason(os.homedir()), "it is the home directory");
 * assert.equal(tooBroadReason(`${os.homedir()}/.hyp/collectivus`), undefined);
 * ```
 */
export function tooBroadReason(dir: string): string | undefined {
  for (const candidate of new Set([path.resolve(dir), resolved(dir)])) {
    const reason = reasonFor(candidate);
    if (reason) return reason;
  }
  return undefined;
}

function reasonFor(dir: string): string | undefined {
  const { root } = path.parse(dir);
  if (dir === root) return "it is the filesystem root";
  const homes = new Set([path.resolve(homeDir()), resolved(homeDir())]);
  if (homes.has(dir)) return "it is the home directory";
  if ([...homes].some((home) => home.startsWith(dir + path.sep))) return "it holds the home directory";
  if (dir === path.resolve(os.tmpdir()) || dir === resolved(os.tmpdir())) return "it is the shared temporary directory";
  if (path.dirname(dir) === root) return "it is a top-level directory";
  return undefined;
}

/** `dir` with symbolic links resolved; itself when it cannot be (it does not exist yet, or cannot be read). */
function resolved(dir: string): string {
  try {
    return realpathSync(dir);
  } catch {
    // The literal path is checked all the same, and DuckDB cannot read what cannot be resolved.
    return path.resolve(dir);
  }
}
