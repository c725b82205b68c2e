/**
 * The Gas City capture benchmark: whole `ctvs` processes recording one long session from the supervisor double
 * (tests/fixtures/gascity_supervisor.ts, real sockets and SSE), made of the real Claude Code transcript repeated with
 * fresh ids (tests/fixtures/gascity_transcript.ts). Rows are counted on disk, so a capture that dropped lines cannot
 * look fast.
 *
 * - baseline: `ctvs gascity backfill --all` of the stopped session, process start to exit (pages of 100 lines, one
 *   fsync'd batch each);
 * - live, 100 lines a frame: a running `ctvs` recording the lines as the supervisor streams them, from the first frame
 *   sent to the last row on disk;
 * - live, 1 line a frame: the same, each line its own frame (each its own fsync'd batch and journal entry).
 *
 * Peak RSS is the `ctvs` process's (GNU time for the backfill, `VmHWM` for the daemon).
 *
 * @module
 */
import { spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { SupervisorDouble } from "../../tests/fixtures/gascity_supervisor.ts";
import { repeatedTranscript, ROWS_PER_COPY } from "../../tests/fixtures/gascity_transcript.ts";
import { denoRun, startCtvs } from "../../tests/helpers/child.ts";
import type { BenchResult } from "./_table.ts";

/** Copies of the 24-line transcript: 500 is 12,000 lines (8,500 rows). */
const COPIES = 500;
/** The one-line-a-frame case is slower by design; it gets a fifth of the lines. */
const COPIES_PER_LINE = 100;
const GNU_TIME = "/usr/bin/time";
const SESSION = { id: "s-long", template: "mayor", rig: "r", alias: "m", state: "active", provider: "claude" };

/** Rows in the gascity_messages day files under `root`. */
async function rowsOnDisk(root: string): Promise<number> {
  const dir = path.join(root, "gw", "gascity_messages");
  let n = 0;
  for (const file of await fs.readdir(dir).catch(() => [])) {
    const text = await fs.readFile(path.join(dir, file), "utf8");
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) n++;
  }
  return n;
}

async function until(check: () => Promise<boolean> | boolean, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("the capture did not finish in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function home(url: string) {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "ctvs-bench-gascity-"));
  const root = path.join(dir, "rec");
  const config = path.join(dir, "collectivus.json");
  await fs.writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "gw",
      sink: { type: "file", dir: root },
      gascity: [{ name: "alpha", api_url: url }],
    }),
  );
  return { dir, root, config };
}

/** `ctvs gascity backfill --all`, timed as a whole process. */
async function backfill(): Promise<BenchResult> {
  const lines = repeatedTranscript(COPIES);
  const double = await SupervisorDouble.start({ cities: ["alpha"] });
  const h = await home(double.url);
  try {
    double.addSession("alpha", { ...SESSION, state: "closed" }, lines);
    const timed = await fs.access(GNU_TIME).then(() => true, () => false);
    const rssFile = path.join(h.dir, "rss");
    const [deno, args] = denoRun("main.ts", ["gascity", "backfill", "--all", "--config", h.config]);
    const argv = timed ? [GNU_TIME, "-q", "-f", "%M", "-o", rssFile, deno, ...args] : [deno, ...args];
    const start = performance.now();
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(argv[0], argv.slice(1), { stdio: ["ignore", "ignore", "inherit"] });
      child.on("error", reject);
      child.on("exit", resolve);
    });
    const seconds = (performance.now() - start) / 1000;
    if (code !== 0) throw new Error(`ctvs gascity backfill exited with ${code}`);
    const rows = await rowsOnDisk(h.root);
    if (rows !== COPIES * ROWS_PER_COPY) throw new Error(`backfill wrote ${rows} rows, not ${COPIES * ROWS_PER_COPY}`);
    return {
      benchmark: "gascity",
      case: `ctvs gascity backfill --all (${lines.length.toLocaleString("en-US")} lines, whole process)`,
      rows,
      bytes: lines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0),
      seconds,
      peakRssBytes: timed ? Number((await fs.readFile(rssFile, "utf8")).trim().split("\n").at(-1)) * 1024 : 0,
    };
  } finally {
    await double.close();
    await fs.rm(h.dir, { recursive: true, force: true });
  }
}

/** A running `ctvs` recording the lines as they stream, `perFrame` lines a frame. */
async function live(copies: number, perFrame: number, baseline: string): Promise<BenchResult> {
  const lines = repeatedTranscript(copies);
  const double = await SupervisorDouble.start({ cities: ["alpha"] });
  const h = await home(double.url);
  const daemon = startCtvs(["--config", h.config, "--pid-file", path.join(h.dir, "pid")]);
  try {
    double.addSession("alpha", SESSION, []);
    await daemon.waitFor(/^Gas City capture of alpha/);
    await until(() => double.openStreams.sessions === 1 && double.openStreams.events === 1);
    const expected = copies * ROWS_PER_COPY;
    const start = performance.now();
    double.appendLines("alpha", SESSION.id, lines, perFrame);
    await until(async () => (await rowsOnDisk(h.root)) >= expected);
    const seconds = (performance.now() - start) / 1000;
    const status = await fs.readFile(`/proc/${daemon.process.pid}/status`, "utf8").catch(() => "");
    const hwm = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    const rows = await rowsOnDisk(h.root);
    if (rows !== expected) throw new Error(`live capture wrote ${rows} rows, not ${expected}`);
    return {
      benchmark: "gascity",
      case: `live stream, ${perFrame} line${perFrame === 1 ? "" : "s"} a frame (${
        lines.length.toLocaleString("en-US")
      } lines)`,
      rows,
      bytes: lines.reduce((n, l) => n + JSON.stringify(l).length + 1, 0),
      seconds,
      peakRssBytes: hwm,
      baseline,
    };
  } finally {
    daemon.kill("SIGTERM");
    await daemon.exited;
    await double.close();
    await fs.rm(h.dir, { recursive: true, force: true });
  }
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  if (process.platform !== "linux") {
    console.error("gascity: peak RSS of the live cases is read from /proc (Linux only)");
  }
  const base = await backfill();
  return [base, await live(COPIES, 100, base.case), await live(COPIES_PER_LINE, 1, base.case)];
}
