/**
 * The Claude Code hook benchmark. `ctvs claude-hook session-context` starts as a new process on every prompt, so its
 * cost is the wall time of one whole process: `deno run` of the repo's `main.ts` reading the hook JSON, finding the
 * git branch and posting to a live loopback endpoint that answers like the proxy. Beside it, in the same run, the
 * floor: `deno run` of an empty script. Each case runs {@link RUNS} times after one warm-up; the case names carry
 * p50 and p95, `time` is the sum and "vs baseline" is the ratio of processes per second.
 *
 * Peak RSS is the child's (GNU `/usr/bin/time -f %M` where present, else 0).
 *
 * @module
 */
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { GNU_TIME, percentile, type Sample, timeProcess } from "./_process.ts";
import type { BenchResult } from "./_table.ts";

/** Processes timed per case. */
export const RUNS = 10;

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

/** Times `argv` {@link RUNS} times after one warm-up (which fills Deno's module and code caches). */
async function timeCase(argv: string[], stdin: string, timed: boolean) {
  await timeProcess(argv, { stdin, timed, cwd: ROOT });
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeProcess(argv, { stdin, timed, cwd: ROOT }));
  const sorted = samples.map((s) => s.seconds).sort((a, b) => a - b);
  return {
    total: sorted.reduce((a, b) => a + b, 0),
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    rssBytes: Math.max(...samples.map((s) => s.rssBytes)),
  };
}

const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;

/** Runs the benchmark; the hook's posts are counted so a hook that silently failed cannot look fast. */
export async function run(): Promise<BenchResult[]> {
  let posts = 0;
  const server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      if (req.method === "POST" && req.url === "/_collectivus/session-context") posts++;
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ctvs-bench-hook-"));
  try {
    const empty = path.join(dir, "empty.ts");
    await fs.writeFile(empty, "");
    const timed = await fs.access(GNU_TIME).then(() => true, () => false);
    const deno = process.execPath;
    const input = JSON.stringify({ session_id: "bench", cwd: ROOT, hook_event_name: "UserPromptSubmit" });
    const hookArgv = [deno, "run", "--allow-all", "--quiet", path.join(ROOT, "main.ts"), "claude-hook"];
    const baseline = await timeCase([deno, "run", "--allow-all", "--quiet", empty], "", timed);
    const hook = await timeCase([...hookArgv, "session-context", "--port", String(port)], input, timed);
    if (posts !== RUNS + 1) throw new Error(`the hook posted ${posts} times in ${RUNS + 1} runs`);
    const baseName = `deno run empty.ts (p50 ${ms(baseline.p50)}, p95 ${ms(baseline.p95)})`;
    console.error(
      `claude-hook: p50 ${ms(hook.p50)} vs ${ms(baseline.p50)} for an empty deno run ` +
        `(${(hook.p50 / baseline.p50).toFixed(1)}x); p95 ${ms(hook.p95)} vs ${ms(baseline.p95)}`,
    );
    return [
      {
        benchmark: "claude_hook",
        case: baseName,
        rows: RUNS,
        bytes: 0,
        seconds: baseline.total,
        peakRssBytes: baseline.rssBytes,
      },
      {
        benchmark: "claude_hook",
        case: `ctvs claude-hook session-context (p50 ${ms(hook.p50)}, p95 ${ms(hook.p95)})`,
        rows: RUNS,
        bytes: input.length * RUNS,
        seconds: hook.total,
        peakRssBytes: hook.rssBytes,
        baseline: baseName,
      },
    ];
  } finally {
    server.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
}
