/**
 * The startup benchmark: what the update notice and the npm launcher add to a whole `ctvs` process.
 *
 * - Update notice: `ctvs --version` from source on a terminal (util-linux `script` gives it one), with the check off
 *   (`COLLECTIVUS_DISABLE_UPDATE_CHECK=1`, the baseline), with a fresh cache (read and printed), and with a day-old
 *   cache (the command also writes the cache and starts the detached check, against a local registry that takes
 *   2 s to answer: a command that waited for it would show it).
 * - npm launcher: the built package under the `node` on PATH (and Node 24, when the tests installed it in
 *   `.tmp/node/24`): `node --max-semi-space-size=8 lib/main.js export --help` (the baseline: flags given by hand)
 *   against `bin/ctvs.mjs export --help`, which starts Node again with the flags (process.execve on 22.15+, a child on
 *   Node 20), and `bin/ctvs.mjs --version`, a short-lived command the launcher runs without a second start.
 *
 * Each case runs {@link RUNS} processes after one warm-up; the case names carry p50 and p95, `time` is the sum and
 * "vs baseline" the ratio of processes per second. Peak RSS is the timed process's (GNU time), 0 without it.
 *
 * @module
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { V8_FLAGS } from "../../platform/v8_flags.ts";
import { buildNpm } from "../build_npm.ts";
import { GNU_TIME, percentile, type Sample, timeProcess } from "./_process.ts";
import type { BenchResult } from "./_table.ts";

/** Processes timed per case. */
export const RUNS = 10;

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");

const ms = (seconds: number) => `${Math.round(seconds * 1000)} ms`;

/** Times `argv` RUNS times after one warm-up; `before` runs ahead of each process (untimed). */
async function timeCase(
  benchmark: string,
  name: string,
  argv: string[],
  env: Record<string, string>,
  options: { timed: boolean; baseline?: string; before?: () => Promise<void> },
): Promise<BenchResult> {
  await options.before?.();
  await timeProcess(argv, { env, timed: options.timed });
  const samples: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    await options.before?.();
    samples.push(await timeProcess(argv, { env, timed: options.timed }));
  }
  const sorted = samples.map((s) => s.seconds).sort((a, b) => a - b);
  return {
    benchmark,
    case: `${name} (p50 ${ms(percentile(sorted, 50))}, p95 ${ms(percentile(sorted, 95))})`,
    rows: RUNS,
    bytes: 0,
    seconds: sorted.reduce((a, b) => a + b, 0),
    peakRssBytes: Math.max(...samples.map((s) => s.rssBytes)),
    baseline: options.baseline,
  };
}

/** This process's environment without what turns the notice off, plus `extra`. */
function noticeEnv(extra: Record<string, string>): Record<string, string> {
  const quiet =
    /^(CI|CONTINUOUS_INTEGRATION|BUILD_NUMBER|RUN_ID|GITHUB_ACTIONS|GITLAB_CI|BUILDKITE|CIRCLECI|TF_BUILD|JENKINS_URL|TEAMCITY_VERSION|INVOCATION_ID|XPC_SERVICE_NAME|COLLECTIVUS_SUPERVISED|COLLECTIVUS_DISABLE_UPDATE_CHECK)$/;
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !quiet.test(key)));
  return { ...env, ...extra } as Record<string, string>;
}

function exec(command: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd, maxBuffer: 64 << 20 }, (error, _out, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")} failed: ${stderr || error.message}`));
      else resolve();
    });
  });
}

async function updateNoticeCases(dir: string, timed: boolean): Promise<BenchResult[]> {
  const server = http.createServer((_req, res) => {
    setTimeout(() => res.writeHead(200, { "content-type": "application/json" }).end('{"version":"99.0.0"}'), 2000);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const home = path.join(dir, "home");
    const cache = path.join(home, ".collectivus", "update-check.json");
    await fs.mkdir(path.dirname(cache), { recursive: true });
    const command = [process.execPath, "run", "--allow-all", "--quiet", path.join(ROOT, "main.ts"), "--version"];
    // `script` gives the command a terminal, as a person at a shell has; without one the notice is off anyway.
    const onTty = ["script", "-q", "-e", "-c", command.map((a) => `'${a}'`).join(" "), "/dev/null"];
    const registry = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const env = noticeEnv({ HOME: home, COLLECTIVUS_UPDATE_REGISTRY: registry, TERM: "dumb" });
    const writeCache = (checkedAt: string) => () =>
      fs.writeFile(cache, JSON.stringify({ checked_at: checkedAt, latest: "0.0.1" }));
    const off = await timeCase("startup", "ctvs --version on a tty, update check off", onTty, {
      ...env,
      COLLECTIVUS_DISABLE_UPDATE_CHECK: "1",
    }, { timed });
    const fresh = await timeCase("startup", "ctvs --version on a tty, cache fresh", onTty, env, {
      timed,
      baseline: off.case,
      before: writeCache(new Date().toISOString()),
    });
    const stale = await timeCase("startup", "ctvs --version on a tty, cache a day old: starts the check", onTty, env, {
      timed,
      baseline: off.case,
      before: writeCache("2020-01-01T00:00:00.000Z"),
    });
    return [off, fresh, stale];
  } finally {
    server.closeAllConnections();
    server.close();
  }
}

async function launcherCases(dir: string, timed: boolean): Promise<BenchResult[]> {
  const dist = path.join(dir, "dist");
  const project = path.join(dir, "project");
  await buildNpm({ outDir: dist });
  await exec("npm", ["pack", "--pack-destination", dir], dist);
  const tarball = (await fs.readdir(dir)).find((f) => f.endsWith(".tgz"))!;
  await fs.mkdir(project);
  await fs.writeFile(path.join(project, "package.json"), '{"private":true}');
  await exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error", path.join(dir, tarball)], project);
  const pkg = path.join(project, "node_modules", "collectivus");
  const env = { ...process.env, COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" } as Record<string, string>;
  const nodes: [string, string][] = [["node", "node"]];
  const node24 = path.join(
    ROOT,
    ".tmp",
    "node",
    "24",
    "node_modules",
    `node-${process.platform}-${process.arch}`,
    "bin",
    "node",
  );
  if (await fs.access(node24).then(() => true, () => false)) nodes.push(["node 24", node24]);
  const results: BenchResult[] = [];
  for (const [label, node] of nodes) {
    const direct = await timeCase(
      "startup",
      `${label}: node ${V8_FLAGS.join(" ")} lib/main.js export --help`,
      [node, ...V8_FLAGS, path.join(pkg, "lib", "main.js"), "export", "--help"],
      env,
      { timed },
    );
    const launcher = await timeCase(
      "startup",
      `${label}: bin/ctvs.mjs export --help (restarts with the flags)`,
      [node, path.join(pkg, "bin", "ctvs.mjs"), "export", "--help"],
      env,
      { timed, baseline: direct.case },
    );
    const short = await timeCase(
      "startup",
      `${label}: bin/ctvs.mjs --version (short-lived: no restart)`,
      [node, path.join(pkg, "bin", "ctvs.mjs"), "--version"],
      env,
      { timed, baseline: direct.case },
    );
    results.push(direct, launcher, short);
  }
  return results;
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ctvs-bench-startup-"));
  try {
    const timed = await fs.access(GNU_TIME).then(() => true, () => false);
    return [...await updateNoticeCases(dir, timed), ...await launcherCases(dir, timed)];
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
