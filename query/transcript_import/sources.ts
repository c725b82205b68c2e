/**
 * Where the clients keep their transcripts, and the transcript files found there. Claude Code: `<dir>/<project>/
 * <session>.jsonl` and its subagents' `<dir>/<project>/<session>/subagents/agent-<id>.jsonl`, `<dir>` being
 * `query.claude_transcripts_dir`, else `$CLAUDE_CONFIG_DIR/projects` (a comma-separated list is read as several), else
 * `~/.claude/projects` and `~/.config/claude/projects`. Codex: `rollout-*.jsonl` under `$CODEX_HOME/sessions` and
 * `$CODEX_HOME/archived_sessions` (`~/.codex` by default).
 *
 * A file is known by a key that survives a move: Claude Code's path under its projects directory, Codex's file name
 * (an archived rollout moves from `sessions/` to `archived_sessions/`), so a file read again from another place is
 * not imported twice.
 *
 * @module
 */
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { expandHome, homeDir } from "../../platform/paths.ts";
import { claudeTranscriptsDir } from "../transcripts.ts";
import type { TranscriptSource } from "../transcript_rows/mod.ts";

/** A transcript file to import. */
export interface TranscriptFile {
  source: TranscriptSource;
  /** What the import state knows it by (see the module doc). */
  key: string;
  path: string;
  size: number;
  mtimeMs: number;
}

/** A directory of one client's transcripts. */
export interface TranscriptRoot {
  source: TranscriptSource;
  dir: string;
}

/** Options of {@linkcode transcriptRoots}. */
export interface RootOptions {
  /** `--path`: a Claude config dir or projects dir, a Codex home or sessions dir. */
  path?: string;
  env?: Record<string, string | undefined>;
}

async function isDir(dir: string): Promise<boolean> {
  return await stat(dir).then((s) => s.isDirectory(), () => false);
}

/**
 * The directories to read for `source`. With `--path`, that directory (its `projects/` for Claude Code, its
 * `sessions/` and `archived_sessions/` for Codex, when it has them); else the clients' own places.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const roots = await transcriptRoots("codex", { env: { CODEX_HOME: "/nonexistent" } });
 * assert.deepEqual(roots, [{ source: "codex", dir: "/nonexistent/sessions" }, { source: "codex", dir: "/nonexistent/archived_sessions" }]);
 * ```
 */
export async function transcriptRoots(
  source: TranscriptSource,
  options: RootOptions = {},
): Promise<TranscriptRoot[]> {
  const env = options.env ?? process.env;
  const given = options.path === undefined ? undefined : path.resolve(expandHome(options.path));
  const roots = (dirs: string[]) => [...new Set(dirs)].map((dir) => ({ source, dir }));
  if (source === "claude_code") {
    if (given) return roots([(await isDir(path.join(given, "projects"))) ? path.join(given, "projects") : given]);
    const configured = claudeTranscriptsDir(undefined, env);
    if (configured === null) return [];
    const list = env.CLAUDE_CONFIG_DIR;
    if (list?.includes(",") && configured === path.join(path.resolve(expandHome(list)), "projects")) {
      return roots(list.split(",").filter(Boolean).map((d) => path.join(path.resolve(expandHome(d)), "projects")));
    }
    const home = homeDir();
    const defaults = env.CLAUDE_CONFIG_DIR ? [] : [path.join(home, ".config", "claude", "projects")];
    return roots([configured, ...defaults]);
  }
  if (given) {
    const nested = [path.join(given, "sessions"), path.join(given, "archived_sessions")];
    const present = [];
    for (const dir of nested) if (await isDir(dir)) present.push(dir);
    return roots(present.length ? present : [given]);
  }
  const home = env.CODEX_HOME ? path.resolve(expandHome(env.CODEX_HOME)) : path.join(homeDir(), ".codex");
  return roots([path.join(home, "sessions"), path.join(home, "archived_sessions")]);
}

/** What {@linkcode listTranscripts} found besides the files. */
export interface Listing {
  files: TranscriptFile[];
  /** Codex rollouts kept compressed (`.jsonl.zst`): not read. */
  compressed: string[];
}

/**
 * The transcript files under `roots`, sorted by key; a root that does not exist has none. A file found under two
 * roots (the same key) is listed once, the larger copy.
 */
export async function listTranscripts(roots: readonly TranscriptRoot[]): Promise<Listing> {
  const byKey = new Map<string, TranscriptFile>();
  const compressed: string[] = [];
  for (const root of roots) {
    let names: string[];
    try {
      names = (await readdir(root.dir, { recursive: true })).map(String);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      const base = path.basename(name);
      if (root.source === "codex" && base.endsWith(".jsonl.zst")) compressed.push(path.join(root.dir, name));
      if (!base.endsWith(".jsonl")) continue;
      if (root.source === "codex" && !base.startsWith("rollout-")) continue;
      const file = path.join(root.dir, name);
      const s = await stat(file).catch(() => undefined);
      if (!s?.isFile()) continue;
      const key = root.source === "codex" ? `codex:${base}` : `claude:${name.split(path.sep).join("/")}`;
      const known = byKey.get(key);
      if (!known || s.size > known.size) {
        byKey.set(key, { source: root.source, key, path: file, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  }
  const files = [...byKey.values()].sort((a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  return { files, compressed };
}
