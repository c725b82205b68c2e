/**
 * Claude Code transcripts as a source of context (reference §6.1 step 3): `<dir>/<project>/<sessionId>.jsonl`, where
 * `<dir>` is `query.claude_transcripts_dir`, else `$CLAUDE_CONFIG_DIR/projects`, else `~/.claude/projects`. Only the
 * sessions a day's exchanges need are read, each once, line by line (a transcript can be hundreds of megabytes, one
 * line megabytes): of each line only `timestamp`, `sessionId`, `cwd`, `gitBranch` and `version` are kept, and runs of
 * lines with the same context are compacted to one time range. A lookup returns the context nearest in time.
 *
 * @module
 */
import { readdir } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { unlessMissing } from "../platform/fs_error.ts";
import { expandHome, homeDir } from "../platform/paths.ts";
import { parsedUserId } from "./proxy_messages/anthropic_turn.ts";
import type { TranscriptEntry } from "./proxy_messages/context.ts";
import { readLines } from "./proxy_messages/read_lines.ts";

/** Transcript lines longer than this are skipped unread (big tool output; the lines around them say the same). */
export const MAX_TRANSCRIPT_LINE_BYTES = 1024 * 1024;

/** One stretch of a transcript with the same context: the first and last line times (ms) and the context. */
export interface TranscriptRun {
  from: number;
  to: number;
  entry: TranscriptEntry;
}

// deno-lint-ignore no-explicit-any
type Json = any;

let configuredDir: string | false | undefined;

/**
 * Sets the transcripts directory for this process from `query.claude_transcripts_dir` (`false`: read none;
 * undefined: the default). Called once a command has loaded its config.
 */
export function useClaudeTranscripts(dir: string | false | undefined): void {
  configuredDir = dir;
}

/**
 * The transcripts directory: `configured` (`false` for none), else `$CLAUDE_CONFIG_DIR/projects`, else
 * `~/.claude/projects`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(claudeTranscriptsDir("/t", {}), "/t");
 * assert.equal(claudeTranscriptsDir(false, {}), null);
 * assert.equal(claudeTranscriptsDir(undefined, { CLAUDE_CONFIG_DIR: "/c" }), "/c/projects");
 * ```
 */
export function claudeTranscriptsDir(
  configured: string | false | undefined = configuredDir,
  env: Record<string, string | undefined> = process.env,
): string | null {
  if (configured === false) return null;
  if (configured !== undefined) return path.resolve(expandHome(configured));
  if (env.CLAUDE_CONFIG_DIR) return path.join(path.resolve(expandHome(env.CLAUDE_CONFIG_DIR)), "projects");
  return path.join(homeDir(), ".claude", "projects");
}

function text(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}

function sameEntry(a: TranscriptEntry, b: TranscriptEntry): boolean {
  return a.cwd === b.cwd && a.git_branch === b.git_branch && a.version === b.version;
}

/**
 * Reads the context runs of `sessionId` from one transcript file, streaming (lines over
 * {@linkcode MAX_TRANSCRIPT_LINE_BYTES} and lines of another session are skipped; a line without a time or any
 * context is ignored).
 */
export async function readTranscriptRuns(file: string, sessionId: string): Promise<TranscriptRun[]> {
  const runs: TranscriptRun[] = [];
  for await (const line of readLines(file, { maxLineBytes: MAX_TRANSCRIPT_LINE_BYTES })) {
    let row: Json;
    try {
      row = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (!row || typeof row !== "object" || (row.sessionId !== undefined && row.sessionId !== sessionId)) continue;
    const at = typeof row.timestamp === "string" ? Date.parse(row.timestamp) : NaN;
    if (Number.isNaN(at)) continue;
    const entry: TranscriptEntry = {};
    const cwd = text(row.cwd), branch = text(row.gitBranch) ?? text(row.git_branch);
    const version = text(row.version) ?? text(row.claude_version);
    if (cwd) entry.cwd = cwd;
    if (branch) entry.git_branch = branch;
    if (version) entry.version = version;
    if (!cwd && !branch && !version) continue;
    const last = runs[runs.length - 1];
    if (last && sameEntry(last.entry, entry)) {
      last.from = Math.min(last.from, at);
      last.to = Math.max(last.to, at);
    } else runs.push({ from: at, to: at, entry });
  }
  return runs;
}

/**
 * The run nearest in time to `at` (inside a run: that run; a tie: the earlier run).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const runs = [{ from: 0, to: 10, entry: { cwd: "/a" } }, { from: 20, to: 30, entry: { cwd: "/b" } }];
 * assert.deepEqual([5, 14, 16, 99].map((t) => nearestEntry(runs, t)?.cwd), ["/a", "/a", "/b", "/b"]);
 * ```
 */
export function nearestEntry(runs: readonly TranscriptRun[], at: number): TranscriptEntry | undefined {
  let best: TranscriptRun | undefined;
  let bestDistance = Infinity;
  for (const run of runs) {
    const distance = at < run.from ? run.from - at : at > run.to ? at - run.to : 0;
    if (distance < bestDistance) {
      best = run;
      bestDistance = distance;
    }
  }
  return best?.entry;
}

/**
 * The Claude Code session of an Anthropic exchange whose transcript is worth reading: `metadata.user_id.session_id`
 * or the `x-claude-code-session-id` header, when the hook context and the request left `cwd` or `git_branch` unknown.
 */
export function transcriptSessionOf(
  exchange: Json,
  body: Json,
  known: { cwd: string | null; git_branch: string | null },
): string | undefined {
  if (known.cwd !== null && known.git_branch !== null) return undefined;
  const header = exchange.request?.headers?.["x-claude-code-session-id"];
  return text(parsedUserId(body?.metadata)?.session_id) ?? text(Array.isArray(header) ? header[0] : header);
}

/**
 * The transcripts of the sessions one walk needs: `load` reads a session (once), then `entry` answers synchronously.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/transcripts-`);
 * mkdirSync(`${dir}/-repo`);
 * const line = { sessionId: "s1", timestamp: "2025-03-01T00:00:00Z", cwd: "/repo", gitBranch: "main", version: "2.1.0" };
 * writeFileSync(`${dir}/-repo/s1.jsonl`, JSON.stringify(line) + "\n");
 * const lookup = new TranscriptLookup(dir);
 * await lookup.load("s1");
 * assert.deepEqual(lookup.entry("s1", "2025-03-01T01:00:00Z"), { cwd: "/repo", git_branch: "main", version: "2.1.0" });
 * assert.equal(lookup.entry("s2", "2025-03-01T01:00:00Z"), undefined);
 * rmSync(dir, { recursive: true });
 * ```
 */
export class TranscriptLookup {
  readonly #dir: string | null;
  #files: Promise<Map<string, string[]>> | undefined;
  readonly #runs = new Map<string, TranscriptRun[]>();

  /** `dir` is the transcripts directory (null: none are read). */
  constructor(dir: string | null = claudeTranscriptsDir()) {
    this.#dir = dir;
  }

  /** Reads the transcript(s) of `sessionId` unless already read. */
  async load(sessionId: string): Promise<void> {
    if (this.#runs.has(sessionId)) return;
    const files = (await this.#index()).get(`${sessionId}.jsonl`) ?? [];
    const runs: TranscriptRun[] = [];
    for (const file of files) {
      // A transcript deleted since the listing is simply gone; one that cannot be read is an error to report.
      runs.push(...(await transcriptError(unlessMissing(readTranscriptRuns(file, sessionId), "read", file)) ?? []));
    }
    runs.sort((a, b) => a.from - b.from);
    this.#runs.set(sessionId, runs);
  }

  /** The context of `sessionId` nearest to `at` (an ISO time), if its transcript was loaded and says any. */
  entry(sessionId: string, at: string): TranscriptEntry | undefined {
    const runs = this.#runs.get(sessionId);
    return runs?.length ? nearestEntry(runs, Date.parse(at)) : undefined;
  }

  // `<sessionId>.jsonl` → its paths under the project directories, listed once per lookup.
  #index(): Promise<Map<string, string[]>> {
    this.#files ??= (async () => {
      const index = new Map<string, string[]>();
      if (this.#dir === null) return index;
      const projects = await transcriptError(
        unlessMissing(readdir(this.#dir, { withFileTypes: true }), "list", this.#dir),
      );
      for (const project of projects ?? []) {
        if (!project.isDirectory()) continue;
        const dir = path.join(this.#dir, project.name);
        for (const name of (await transcriptError(unlessMissing(readdir(dir), "list", dir))) ?? []) {
          if (!name.endsWith(".jsonl")) continue;
          const list = index.get(name) ?? [];
          list.push(path.join(dir, name));
          index.set(name, list);
        }
      }
      return index;
    })();
    return this.#files;
  }
}

/** Adds to a failure to read the transcripts how to do without them. */
async function transcriptError<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw new Error(
      `${(error as Error).message} (Claude Code transcripts; set query.claude_transcripts_dir to false to skip them)`,
      { cause: error },
    );
  }
}
