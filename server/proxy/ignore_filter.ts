/**
 * Whether an exchange is recorded (reference §4.7): not when its session is ignored, nor when the session's cwd is
 * one of `ignored_paths` or below one, nor when a `.ctvsignore` file sits in the cwd or any folder above it.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { errorCode, fsReason } from "../../platform/fs_error.ts";
import type { SessionStore } from "./session_store.ts";

/** How many `.ctvsignore` lookups are cached. */
const CACHE_SIZE = 512;

/** The proxy's ignore rules; see the module doc. */
export class IgnoreFilter {
  readonly #sessions: SessionStore;
  readonly #paths: string[];
  /** `.ctvsignore` results by session and cwd: a new conversation looks again, so a new file takes effect. */
  readonly #cache = new Map<string, boolean>();
  readonly #warn: (line: string) => void;

  /** `warn` is told (once per session and folder) of a `.ctvsignore` that cannot be checked. */
  constructor(sessions: SessionStore, ignoredPaths: readonly string[] = [], warn: (line: string) => void = () => {}) {
    this.#sessions = sessions;
    this.#paths = ignoredPaths.map((p) => path.resolve(p));
    this.#warn = warn;
  }

  /** True when the exchange of `sessionId` must not be recorded. A failing check records (fails open). */
  async ignores(sessionId: string | undefined): Promise<boolean> {
    if (sessionId === undefined) return false;
    if (this.#sessions.isIgnored(sessionId)) return true;
    const cwd = this.#sessions.context(sessionId)?.cwd;
    if (!cwd || !path.isAbsolute(cwd)) return false;
    const dir = path.resolve(cwd);
    if (this.#paths.some((p) => dir === p || dir.startsWith(p.endsWith(path.sep) ? p : p + path.sep))) return true;
    return await this.#hasIgnoreFile(`${sessionId}\0${dir}`, dir);
  }

  async #hasIgnoreFile(key: string, dir: string): Promise<boolean> {
    const cached = this.#cache.get(key);
    if (cached !== undefined) return cached;
    let found = false;
    for (let at = dir;; at = path.dirname(at)) {
      const file = path.join(at, ".ctvsignore");
      try {
        if (await exists(file)) {
          found = true;
          break;
        }
      } catch (error) {
        // Not known to be ignored: recorded, as a session without a marker is, and said once.
        this.#warn(`warning: cannot check ${file} (${fsReason(error)}); recording the session as if it were absent`);
      }
      if (path.dirname(at) === at) break;
    }
    this.#cache.set(key, found);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return found;
  }
}

/** Whether `file` exists: false when it or a folder of its path is missing; any other failure rejects. */
async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    const code = errorCode(error);
    if (code === "ENOENT" || code === "ENOTDIR") return false;
    throw error;
  }
}
