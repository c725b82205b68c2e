/**
 * What the session-context hook sends to the proxy: the session id, the cwd and its git branch, from the JSON
 * Claude Code writes on the hook's stdin.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";

/** The body of `POST /_collectivus/session-context`. */
export interface SessionContext {
  session_id: string;
  cwd: string;
  git_branch?: string;
}

/** Reads `session_id` and `new_cwd ?? cwd` from hook input; undefined when either is missing or it is not JSON. */
export function parseHookInput(text: string): { session_id: string; cwd: string } | undefined {
  try {
    const input = JSON.parse(text);
    const cwd = input?.new_cwd ?? input?.cwd;
    if (typeof input?.session_id !== "string" || typeof cwd !== "string") return undefined;
    return { session_id: input.session_id, cwd };
  } catch {
    return undefined;
  }
}

/**
 * The branch checked out in the repository holding `dir`, read from `.git/HEAD` (a worktree's `.git` file is
 * followed) without starting git, because the hook runs on every prompt. Undefined when detached or not a repo.
 */
export async function gitBranch(dir: string): Promise<string | undefined> {
  for (let current = path.resolve(dir);; current = path.dirname(current)) {
    const dotGit = path.join(current, ".git");
    const stat = await fs.stat(dotGit).catch(() => undefined);
    if (stat) {
      let gitDir = dotGit;
      if (stat.isFile()) {
        const pointer = /^gitdir:\s*(.+)$/m.exec(await fs.readFile(dotGit, "utf8"))?.[1]?.trim();
        if (!pointer) return undefined;
        gitDir = path.resolve(current, pointer);
      }
      const head = await fs.readFile(path.join(gitDir, "HEAD"), "utf8").catch(() => "");
      return /^ref: refs\/heads\/(.+)$/m.exec(head)?.[1]?.trim();
    }
    if (path.dirname(current) === current) return undefined;
  }
}
