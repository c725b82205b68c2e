/**
 * Whether an exchange is recorded (reference §4.7): not when its session is ignored, nor when the session's cwd is
 * one of `ignored_paths` or below one, nor when a `.ctvsignore` file sits in the cwd or any folder above it.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import type { SessionStore } from "./session_store.ts";

/** How many `.ctvsignore` lookups are cached. */
const CACHE_SIZE = 512;

/** The proxy's ignore rules; see the module doc. */
export class IgnoreFilter {
  readonly #sessions: SessionStore;
  readonly #paths: string[];
  /** `.ctvsignore` results by session and cwd: a new conversation looks again, so a new file takes effect. */
  readonly #cache = new Map<string, boolean>();

  constructor(sessions: SessionStore, ignoredPaths: readonly string[] = []) {
    this.#sessions = sessions;
    this.#paths = ignoredPaths.map((p) => path.resolve(p));
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
      if (await exists(path.join(at, ".ctvsignore"))) {
        found = true;
        break;
      }
      if (path.dirname(at) === at) break;
    }
    this.#cache.set(key, found);
    if (this.#cache.size > CACHE_SIZE) this.#cache.delete(this.#cache.keys().next().value!);
    return found;
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}
