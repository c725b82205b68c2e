/**
 * Timing whole processes, for the benchmarks where a user runs a whole `ctvs` process: the wall time of one child,
 * and its peak RSS from GNU `/usr/bin/time -f %M` when asked (0 otherwise).
 *
 * @module
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";

/** GNU time, which reports a child's peak RSS. */
export const GNU_TIME = "/usr/bin/time";

/** One child's wall time and peak RSS. */
export interface Sample {
  seconds: number;
  rssBytes: number;
}

/** How {@linkcode timeProcess} runs the child. */
export interface ProcessOptions {
  /** Peak RSS through {@linkcode GNU_TIME}. */
  timed: boolean;
  /** Written to its stdin (default: no stdin). */
  stdin?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Runs `argv`; resolves with its wall time (and peak RSS when `timed`), failing on a non-zero exit. */
export async function timeProcess(argv: string[], options: ProcessOptions): Promise<Sample> {
  const rssFile = path.join(os.tmpdir(), `ctvs-bench-rss-${process.pid}`);
  const [command, ...args] = options.timed ? [GNU_TIME, "-q", "-f", "%M", "-o", rssFile, ...argv] : argv;
  const start = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const stdin = options.stdin === undefined ? "ignore" : "pipe";
    const child = spawn(command, args, { stdio: [stdin, "ignore", "inherit"], env: options.env, cwd: options.cwd });
    child.on("error", reject);
    child.on("exit", (exitCode) => resolve(exitCode));
    if (options.stdin !== undefined) child.stdin!.end(options.stdin);
  });
  const seconds = (performance.now() - start) / 1000;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited with ${code}`);
  const rssBytes = options.timed ? Number((await fs.readFile(rssFile, "utf8")).trim().split("\n").at(-1)) * 1024 : 0;
  return { seconds, rssBytes };
}

/**
 * The `p`th percentile of `sorted` (ascending), nearest rank.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(percentile([1, 2, 3, 4], 50), 2);
 * assert.equal(percentile([1, 2, 3, 4], 95), 4);
 * ```
 */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
