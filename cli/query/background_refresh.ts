/**
 * The background refresh a query starts after it answered from the JSONL in place (`query/in_place.ts`): a detached
 * `ctvs query refresh --background`, with no terminal and at a lower CPU priority, converts the day files queries
 * queued, then exits. One runs at a time per cache (a lock under `<cache>/background-refresh/`); a query that finds
 * one running only adds its files to the queue, which the running one reads until it is empty.
 *
 * Only a person at a terminal gets one without asking (`--refresh auto`, stderr a terminal, not CI); scripts, CI
 * and tests refresh first as before, unless they pass `--refresh background`.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { appendFile, mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { currentProgram, withV8Flags } from "../../platform/daemon/program.ts";
import { lockOwner } from "../../platform/file_lock.ts";
import { unlessMissing } from "../../platform/fs_error.ts";
import { isCi } from "../../platform/update_check.ts";
import { backgroundDir } from "../../query/cache_layout.ts";
import type { RefreshMode } from "./flags.ts";

/** The lock a background refresh holds while it runs. */
export function backgroundLock(cacheDir: string): string {
  return path.join(backgroundDir(cacheDir), "lock");
}

/** The log of the last background refresh (what `ctvs query refresh` prints, and when it started and ended). */
export function backgroundLog(cacheDir: string): string {
  return path.join(backgroundDir(cacheDir), "last.log");
}

function queueFile(cacheDir: string): string {
  return path.join(backgroundDir(cacheDir), "queue");
}

/**
 * Whether a query in `mode` reads the partitions with much not cached in place and leaves them to a background
 * refresh: `background` always; `auto` when a person is at a terminal (stderr) and it is not a CI run.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(refreshesInBackground("auto", {}, true), true);
 * assert.equal(refreshesInBackground("auto", {}, false), false);
 * assert.equal(refreshesInBackground("auto", { CI: "true" }, true), false);
 * assert.equal(refreshesInBackground("background", { CI: "true" }, false), true);
 * assert.equal(refreshesInBackground("always", {}, true), false);
 * ```
 */
export function refreshesInBackground(
  mode: RefreshMode,
  env: Readonly<Record<string, string | undefined>>,
  stderrIsTTY: boolean,
): boolean {
  return mode === "background" || (mode === "auto" && stderrIsTTY && !isCi(env));
}

/** Starts `argv` detached from this process (its own session, no stdio), at a lower priority where `nice` exists. */
function startDetached(argv: string[]): void {
  const run = (command: string, args: string[], otherwise?: () => void) => {
    const child = spawn(command, args, { detached: true, stdio: "ignore", windowsHide: true });
    child.on("error", () => otherwise?.());
    child.unref();
  };
  const [command, ...args] = argv;
  // The refresh's threads inherit the priority of the process that starts them: `nice` gives it to all of them.
  if (process.platform === "win32") run(command, args);
  else run("nice", ["-n", "10", command, ...args], () => run(command, args));
}

/**
 * Queues `files` (day files) for the background refresh of the cache at `cacheDir`, and starts one unless one is
 * running (it reads the queue until it is empty). Resolves with whether it started one.
 *
 * @param configArgs The flags naming the config and cache (`QueryContext.configArgs`).
 * @param start Starts the refresh's command line (tests swap it).
 */
export async function queueBackgroundRefresh(
  cacheDir: string,
  configArgs: string[],
  files: string[],
  start: (argv: string[]) => void = startDetached,
): Promise<boolean> {
  if (files.length === 0) return false;
  await mkdir(backgroundDir(cacheDir), { recursive: true, mode: 0o700 });
  // One short append per query: whole lines, even with several queries appending at once.
  await appendFile(queueFile(cacheDir), files.map((f) => `${f}\n`).join(""), { mode: 0o600 });
  if (await lockOwner(backgroundLock(cacheDir)) !== undefined) return false;
  start([...withV8Flags(currentProgram()), "query", "refresh", "--background", ...configArgs]);
  return true;
}

/** Whether anything is queued. */
export async function queued(cacheDir: string): Promise<boolean> {
  const file = queueFile(cacheDir);
  return ((await unlessMissing(stat(file), "read", file))?.size ?? 0) > 0;
}

/**
 * Takes what the queue holds (each file once, in order), leaving it empty; for the background refresh, which holds
 * the lock. A query appending meanwhile appends to a new queue.
 */
export async function takeQueue(cacheDir: string): Promise<string[]> {
  const taken = `${queueFile(cacheDir)}.${process.pid}`;
  try {
    await rename(queueFile(cacheDir), taken);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw err;
  }
  try {
    const text = await unlessMissing(readFile(taken, "utf8"), "read", taken) ?? "";
    return [...new Set(text.split("\n").filter((line) => line !== ""))];
  } finally {
    await rm(taken, { force: true });
  }
}

/**
 * The `background_refresh` check of `ctvs query doctor`: `ok` while one runs or when the last one ended without an
 * error (or none ran), `warn` with its first error, or when it did not end (killed), naming the log.
 */
export async function backgroundRefreshCheck(cacheDir: string): Promise<["ok" | "warn", string]> {
  const owner = await lockOwner(backgroundLock(cacheDir));
  if (owner !== undefined) return ["ok", `running (pid ${owner})`];
  const file = backgroundLog(cacheDir);
  const lines = (await unlessMissing(readFile(file, "utf8"), "read", file))?.split("\n");
  if (!lines) return ["ok", "none has run"];
  const started = /^background refresh started (\S+)/.exec(lines[0])?.[1] ?? "?";
  const error = lines.find((l) => l.startsWith("error: "));
  if (error) return ["warn", `the last one (${started}) failed: ${error.slice(7)}; see ${file}`];
  if (!lines.findLast((l) => l !== "")?.startsWith("background refresh ended ")) {
    return ["warn", `the last one (${started}) did not finish; see ${file}`];
  }
  return ["ok", `the last one (${started}) ended; see ${file}`];
}
