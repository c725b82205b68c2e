/**
 * `deno task bench import`: `ctvs import all` over a transcripts folder of `CTVS_BENCH_IMPORT_MB` (default 2000) MB,
 * built from the lines the real Claude Code and Codex CLIs wrote (`tests/fixtures/transcripts/`): sessions of many
 * turns of the recorded shapes (an answer of several blocks written as four lines with one usage, tool results of
 * varied sizes, the odd screenshot, file-history snapshots; Codex turns with their running token counts), three
 * quarters Claude Code, one large transcript among them. Each case is a whole process, as a user runs it, timed with
 * its peak RSS and CPU time (GNU `/usr/bin/time -f "%M %U %S"`; the CPU time is in the case's name):
 *
 * - the baseline: ccusage (npm) reading the same folder for its daily report (`--offline`);
 * - `ctvs import all`, the first time (everything), again (nothing new), and after a few sessions grew;
 * - the first `ctvs query usage` after it (the query cache refreshed from the imported rows).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { appendFile, mkdir, mkdtemp, open, readFile, rm, stat, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { DENO_V8_FLAGS } from "../../platform/v8_flags.ts";
import { npmClient } from "../../tests/helpers/npm_clients.ts";
import { CLAUDE_FILE, CODEX_FILE } from "../../tests/query/transcript_rows/_recorded.ts";
import type { BenchResult } from "./_table.ts";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..", "..");
const GNU_TIME = "/usr/bin/time";

// deno-lint-ignore no-explicit-any
type Line = Record<string, any>;

const parse = async (file: string): Promise<Line[]> =>
  (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));

/** A deterministic pseudo-random sequence (the same folder every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const WORDS = ["const", "value", "return", "error", "file", "test", "function", "import", "query", "result", "\n"];
function filler(n: number, next: () => number): string {
  const parts: string[] = [];
  let length = 0;
  while (length < n) {
    const w = WORDS[Math.floor(next() * WORDS.length)];
    parts.push(w);
    length += w.length + 1;
  }
  return parts.join(" ");
}

/** A tool output's size: mostly small, some tens of kilobytes, a few large. */
function outputSize(next: () => number): number {
  const r = next();
  return r < 0.7
    ? 200 + Math.floor(next() * 1800)
    : r < 0.95
    ? 2_000 + Math.floor(next() * 28_000)
    : 30_000 + Math.floor(next() * 170_000);
}

const iso = (ms: number) => new Date(ms).toISOString();
const hex = (n: number, width = 24) => n.toString(16).padStart(width, "0");

/** Writes the lines of a Claude Code session of `turns` turns, from the recorded lines. */
async function claudeSession(file: string, recorded: Line[], session: number, turns: number, start: number) {
  const next = random(session + 1);
  const sessionId = `5e55${hex(session, 4)}-0000-4000-8000-${hex(session, 12)}`;
  const user = recorded.find((l) => l.type === "user" && typeof l.message.content === "string")!;
  const answer = recorded.filter((l) => l.type === "assistant" && JSON.stringify(l).includes("twice"));
  const result = recorded.find((l) => l.type === "user" && Array.isArray(l.message.content))!;
  const final = recorded.filter((l) => l.type === "assistant").slice(-2);
  const attachment = recorded.find((l) => l.type === "attachment");
  const handle = await open(file, "w");
  let t = start;
  let parent: string | null = null;
  const put = async (line: Line) => {
    t += 200 + Math.floor(next() * 3000);
    const uuid = `${sessionId.slice(0, 24)}${hex(Math.floor(next() * 2 ** 40), 12)}`;
    await handle.write(JSON.stringify({ ...line, parentUuid: parent, uuid, sessionId, timestamp: iso(t) }) + "\n");
    parent = uuid;
  };
  try {
    for (let turn = 0; turn < turns; turn++) {
      await put({ ...user, message: { role: "user", content: filler(40 + Math.floor(next() * 400), next) } });
      if (attachment && turn % 10 === 0) await put(attachment);
      for (const [n, lines] of [[0, answer], [1, final]] as const) {
        const id = `msg_${hex(session * 100_000 + turn * 2 + n)}`;
        const requestId = `req_${hex(session * 100_000 + turn * 2 + n)}`;
        const usage = {
          ...lines[0].message.usage,
          input_tokens: 3 + Math.floor(next() * 40),
          cache_read_input_tokens: 20_000 + turn * 1_500,
          cache_creation_input_tokens: 500 + Math.floor(next() * 3_000),
          output_tokens: 50 + Math.floor(next() * 1_500),
        };
        for (const line of lines) {
          const content = line.message.content.map((b: Line) =>
            b.type === "text"
              ? { ...b, text: filler(100 + Math.floor(next() * 1500), next) }
              : b.type === "tool_use"
              ? { ...b, id: `toolu_${hex(session)}_${turn}_${Math.floor(next() * 1e6)}` }
              : b
          );
          await put({ ...line, requestId, message: { ...line.message, id, content, usage } });
        }
        if (n === 0) {
          for (const call of lines.filter((l) => l.message.content[0].type === "tool_use")) {
            const screenshot = next() < 0.002;
            const output = screenshot
              ? [{ type: "image", source: { type: "base64", media_type: "image/png", data: "A".repeat(1_500_000) } }]
              : filler(outputSize(next), next);
            await put({
              ...result,
              message: {
                role: "user",
                content: [{ ...result.message.content[0], content: output, tool_use_id: call.message.content[0].id }],
              },
            });
          }
        }
      }
      if (turn % 25 === 24) {
        await handle.write(
          JSON.stringify({
            type: "file-history-snapshot",
            messageId: parent,
            snapshot: { files: filler(20_000, next) },
          }) +
            "\n",
        );
      }
    }
  } finally {
    await handle.close();
  }
}

/** Writes the lines of a Codex session of `turns` turns, from the recorded rollout, its token counts running. */
async function codexSession(file: string, recorded: Line[], session: number, turns: number, start: number) {
  const next = random(session + 7);
  const id = `01a2${hex(session, 4)}-0000-7000-8000-${hex(session, 12)}`;
  const meta = recorded.find((l) => l.type === "session_meta")!;
  const turnLines = recorded.slice(recorded.findIndex((l) => l.payload?.type === "task_started", 1));
  const handle = await open(file, "w");
  let t = start;
  const totals: Record<string, number> = { input_tokens: 0, cached_input_tokens: 0, output_tokens: 0, total_tokens: 0 };
  try {
    await handle.write(
      JSON.stringify({ ...meta, timestamp: iso(t), payload: { ...meta.payload, id, session_id: id } }) + "\n",
    );
    for (let turn = 0; turn < turns; turn++) {
      let response = 0;
      for (const line of turnLines) {
        t += 50 + Math.floor(next() * 1500);
        let out: Line = { ...line, timestamp: iso(t) };
        const p = line.payload;
        if (line.type === "token_usage_record") {
          out = {
            ...out,
            payload: {
              ...p,
              session_id: id,
              thread_id: id,
              response_id: `resp_${hex(session * 100_000 + turn * 4 + response++)}`,
            },
          };
        } else if (p?.type === "token_count") {
          const input = 5_000 + turn * 2_000,
            cached = Math.floor(input * 0.8),
            output = 100 + Math.floor(next() * 2_000);
          totals.input_tokens += input;
          totals.cached_input_tokens += cached;
          totals.output_tokens += output;
          totals.total_tokens += input + output;
          const last = {
            input_tokens: input,
            cached_input_tokens: cached,
            output_tokens: output,
            total_tokens: input + output,
          };
          out = {
            ...out,
            payload: { ...p, info: { ...p.info, total_token_usage: { ...totals }, last_token_usage: last } },
          };
        } else if (p?.type === "function_call_output") {
          out = { ...out, payload: { ...p, output: filler(outputSize(next), next) } };
        } else if (p?.type === "message" && p.role === "assistant") {
          out = {
            ...out,
            payload: {
              ...p,
              content: [{ type: "output_text", text: filler(100 + Math.floor(next() * 1500), next), annotations: [] }],
            },
          };
        }
        await handle.write(JSON.stringify(out) + "\n");
      }
    }
  } finally {
    await handle.close();
  }
}

/** Writes the folder: Claude Code under `<dir>/claude/projects`, Codex under `<dir>/codex/sessions`. */
export async function generate(
  dir: string,
  bytes: number,
): Promise<{ files: number; lines: number; bytes: number; claude: string[] }> {
  const claude = await parse(CLAUDE_FILE);
  const codex = await parse(CODEX_FILE);
  const next = random(42);
  let written = 0, files = 0, session = 0;
  const claudeFiles: string[] = [];
  const start = Date.parse("2026-06-01T08:00:00Z");
  while (written < bytes) {
    const isCodex = session % 4 === 3;
    // One large transcript (about 15% of the folder); the rest sessions of 20 to 200 turns.
    const turns = session === 5 ? Math.round(bytes / 1e6 * 2.5) : 20 + Math.floor(next() * 180);
    const day = new Date(start + session * 3_600_000);
    const file = isCodex
      ? path.join(
        dir,
        "codex",
        "sessions",
        `${day.getUTCFullYear()}`,
        `${day.getUTCMonth() + 1}`.padStart(2, "0"),
        `${day.getUTCDate()}`.padStart(2, "0"),
        `rollout-${day.toISOString().slice(0, 19).replaceAll(":", "-")}-${hex(session, 12)}.jsonl`,
      )
      : path.join(dir, "claude", "projects", `-work-project-${session % 7}`, `5e55${hex(session, 4)}.jsonl`);
    await mkdir(path.dirname(file), { recursive: true });
    if (isCodex) await codexSession(file, codex, session, turns, day.getTime());
    else {
      await claudeSession(file, claude, session, turns, day.getTime());
      claudeFiles.push(file);
    }
    written += (await stat(file)).size;
    files++;
    session++;
  }
  return { files, lines: await countLines(dir), bytes: written, claude: claudeFiles };
}

async function countLines(dir: string): Promise<number> {
  const out = await timed(["sh", "-c", `find '${dir}' -name '*.jsonl' -print0 | xargs -0 cat | wc -l`], {}, false);
  return Number(out.stdout.trim());
}

/** Runs `argv` to its end; with `measured`, under GNU time for its peak RSS. */
async function timed(argv: string[], env: Record<string, string>, measured = true) {
  const rssFile = path.join(os.tmpdir(), `ctvs-bench-import-rss-${process.pid}`);
  const [command, ...args] = measured ? [GNU_TIME, "-q", "-f", "%M %U %S", "-o", rssFile, ...argv] : argv;
  const start = performance.now();
  const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ["ignore", "pipe", "inherit"],
      cwd: ROOT,
      env: { ...process.env, ...env },
    });
    let stdout = "";
    child.stdout!.setEncoding("utf8").on("data", (chunk) => stdout += chunk);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout }));
  });
  const seconds = (performance.now() - start) / 1000;
  if (result.code !== 0) throw new Error(`${argv.join(" ")} exited with ${result.code}`);
  const [rss, user, sys] = measured
    ? (await readFile(rssFile, "utf8")).trim().split("\n").at(-1)!.split(" ").map(Number)
    : [0, 0, 0];
  return { seconds, peakRssBytes: rss * 1024, cpuSeconds: user + sys, stdout: result.stdout };
}

const ctvs = (
  ...args: string[]
) => [Deno.execPath(), "run", "--allow-all", "--quiet", DENO_V8_FLAGS, "main.ts", ...args];

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const mb = Number(process.env.CTVS_BENCH_IMPORT_MB ?? 2000);
  const dir = await mkdtemp(path.join(os.tmpdir(), "ctvs-bench-import-"));
  try {
    const folder = await generate(path.join(dir, "in"), mb * 1e6);
    const config = path.join(dir, "collectivus.json");
    await writeFile(
      config,
      JSON.stringify({ version: 1, gateway_id: "bench", sink: { type: "file", dir: path.join(dir, "data") } }),
    );
    const env = {
      HOME: dir,
      // Deno's cache stays where it is (HOME moved would start an empty one).
      DENO_DIR: process.env.DENO_DIR ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "deno"),
      CLAUDE_CONFIG_DIR: path.join(dir, "in", "claude"),
      CODEX_HOME: path.join(dir, "in", "codex"),
    };
    const label = `${folder.files} files, ${(folder.bytes / 1e6).toFixed(0)} MB`;
    const results: BenchResult[] = [];
    // The CPU time is in the case's name: on a shared machine it says more than the wall time. The first case (ccusage)
    // is the baseline of the others.
    let baseline: string | undefined;
    const add = (
      name: string,
      m: { seconds: number; peakRssBytes: number; cpuSeconds: number },
      rows: number,
      bytes: number,
    ) => {
      const c = `${name}; cpu ${m.cpuSeconds.toFixed(1)} s`;
      results.push({
        benchmark: "import",
        case: c,
        rows,
        bytes,
        seconds: m.seconds,
        peakRssBytes: m.peakRssBytes,
        baseline,
      });
      baseline ??= c;
    };
    const ccusage = await npmClient("ccusage");
    add(
      `ccusage daily --offline (${label})`,
      await timed([ccusage, "daily", "--json", "--offline"], env),
      folder.lines,
      folder.bytes,
    );
    const first = await timed(ctvs("import", "all", "--config", config, "--format", "json"), env);
    const summary = JSON.parse(first.stdout);
    const parts = summary.sources.claude_code.parts + summary.sources.codex.parts;
    add(
      `ctvs import all, first run (${label}; ${parts.toLocaleString("en-US")} part rows)`,
      first,
      folder.lines,
      folder.bytes,
    );
    add(
      `ctvs import all, nothing new`,
      await timed(ctvs("import", "all", "--config", config), env),
      folder.lines,
      folder.bytes,
    );
    // A few sessions go on: their files grow by a turn's worth of real lines each.
    const grown = (await readFile(CLAUDE_FILE, "utf8")).split("\n").filter(Boolean).slice(-8).join("\n") + "\n";
    for (const file of folder.claude.slice(0, 3)) await appendFile(file, grown);
    add(
      `ctvs import all, 3 sessions grew`,
      await timed(ctvs("import", "all", "--config", config), env),
      folder.lines,
      folder.bytes,
    );
    const query = await timed(ctvs("query", "usage", "--config", config, "--format", "json"), env);
    add(`first ctvs query usage after it (cache refresh)`, query, folder.lines, folder.bytes);
    return results;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
