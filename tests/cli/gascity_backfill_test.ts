/**
 * `ctvs gascity backfill` against the supervisor double: a long session (the real Claude Code transcript repeated
 * into 1,200 lines, a dozen pages) recorded whole and exactly once, re-runs adding nothing; a per-session deadline that
 * bounds a slow session and lets the next one go on; a partial run finished by the next; progress on a terminal.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { lineKey } from "../../server/gascity/line_key.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { repeatedTranscript, REQUESTS_PER_COPY, ROWS_PER_COPY } from "../fixtures/gascity_transcript.ts";
import { ctvs, denoRun, ROOT } from "../helpers/child.ts";
import { gascityHome } from "./_gascity.ts";
import { CLAUDE_FILE, lines } from "../query/transcript_rows/_recorded.ts";

const CLAUDE = lines(CLAUDE_FILE);
const ESC = String.fromCharCode(27);

interface Setup {
  double: SupervisorDouble;
  config: string;
  root: string;
  run(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }>;
  rows(): Promise<Record<string, unknown>[]>;
  close(): Promise<void>;
}

async function setup(): Promise<Setup> {
  const double = await SupervisorDouble.start({ cities: ["alpha"] });
  const tmp = await gascityHome([{ name: "alpha", api_url: double.url }]);
  const { root, config } = tmp;
  return {
    double,
    config,
    root,
    run: (...args) => ctvs(["gascity", "backfill", ...args, "--config", config]),
    async rows() {
      const dir = path.join(root, "gw", "gascity_messages");
      const files = await fs.readdir(dir).catch(() => []);
      const text = (await Promise.all(files.map((f) => fs.readFile(path.join(dir, f), "utf8")))).join("");
      return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    },
    async close() {
      await double.close();
      await tmp.remove();
    },
  };
}

const LONG = repeatedTranscript(50);
// Lines without a uuid that are the same in every copy (queue operations, the mode line) are one line by content.
const DISTINCT = new Set(LONG.map(lineKey)).size;
const SESSION = { id: "s-long", template: "mayor", rig: "r", alias: "m", state: "closed", provider: "claude" };

test("backfill records a long session whole, exactly once; a re-run adds nothing; live sessions by default", async () => {
  const s = await setup();
  try {
    s.double.addSession("alpha", SESSION, LONG);
    const live = await s.run();
    assert.deepEqual([live.code, live.stdout], [
      0,
      "alpha: no live session to backfill\nDone. 0 session(s), 0 line(s) recorded, 0 row(s).",
    ]);

    const first = await s.run("--all");
    assert.equal(first.code, 0, first.stderr);
    const rows = await s.rows();
    const perCopy = ROWS_PER_COPY;
    assert.equal(rows.length, 50 * perCopy);
    assert.equal(new Set(rows.map((r) => r.row_id)).size, rows.length);
    assert.match(
      first.stdout,
      new RegExp(
        `^alpha/s-long \\(mayor\\): ${DISTINCT} line\\(s\\) recorded \\(1200 of 1200 read\\), ${
          50 * perCopy
        } row\\(s\\), [\\d.]+ s\\n`,
      ),
    );
    assert.match(
      first.stdout,
      new RegExp(
        `\\nDone\\. 1 session\\(s\\), ${DISTINCT} line\\(s\\) recorded, ${50 * perCopy} row\\(s\\)\\.\\nFiles: `,
      ),
    );
    // Twelve pages or so (100 lines each, from a line with a uuid), newest first, each before the one read before.
    const pages = s.double.requests.filter((r) => r.includes("/transcript?"));
    assert.ok(pages.length >= 12, String(pages.length));
    assert.match(pages[0], /\/session\/s-long\/transcript\?format=raw&tail=1$/);
    assert.match(pages[1], /transcript\?format=raw&before=[^&]+&tail=1$/);
    // One cost per request: 4 answers per copy.
    assert.equal(rows.filter((r) => r.cost_usd !== null).length, 50 * REQUESTS_PER_COPY);

    const again = await s.run("--all", "--format", "jsonl");
    assert.equal(again.code, 0, again.stderr);
    const [result] = again.stdout.split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(
      [result.session_id, result.outcome, result.lines_read, result.lines_recorded, result.rows],
      ["s-long", "done", 1200, 0, 0],
    );
    assert.equal((await s.rows()).length, 50 * perCopy);
  } finally {
    await s.close();
  }
});

test("backfill spends at most --timeout on a session: a slow one fails alone, a long one is finished by the next run", async () => {
  const s = await setup();
  try {
    s.double.addSession("alpha", { ...SESSION, id: "s-slow" }, CLAUDE);
    s.double.slowTranscript("alpha", "s-slow", 5000);
    s.double.addSession("alpha", SESSION, LONG);
    s.double.slowTranscript("alpha", "s-long", 350);
    const started = Date.now();
    const bounded = await s.run("--all", "--timeout", "1s");
    const elapsed = Date.now() - started;
    assert.equal(bounded.code, 1, bounded.stderr);
    const [slow, long] = bounded.stdout.split("\n");
    assert.equal(slow, "alpha/s-slow (mayor): failed: no answer within 1 s");
    assert.match(
      long,
      /^alpha\/s-long \(mayor\): \d+ line\(s\) recorded \(\d+ of 1200 read\), \d+ row\(s\), [\d.]+ s; partial: the oldest lines were not reached within 1 s$/,
    );
    // Two sessions of 1 s each, plus the process: far from the 5 s the slow supervisor would take.
    assert.ok(elapsed < 4900, `${elapsed} ms`);
    const partial = (await s.rows()).length;
    assert.ok(partial > 0 && partial < 50 * ROWS_PER_COPY, String(partial));

    s.double.slowTranscript("alpha", "s-slow", 0);
    s.double.slowTranscript("alpha", "s-long", 0);
    const rest = await s.run("--all", "--session", "s-long");
    assert.equal(rest.code, 0, rest.stderr);
    const rows = await s.rows();
    assert.equal(rows.length, 50 * ROWS_PER_COPY);
    assert.equal(new Set(rows.map((r) => r.row_id)).size, rows.length);
    assert.equal(rows.filter((r) => r.cost_usd !== null).length, 50 * REQUESTS_PER_COPY);
  } finally {
    await s.close();
  }
});

test("backfill shows its progress on a terminal, one line redrawn per page; piped it prints only the summary", async () => {
  const s = await setup();
  try {
    s.double.addSession("alpha", SESSION, LONG);
    const [command, full] = denoRun("main.ts", ["gascity", "backfill", "--all", "--config", s.config]);
    const { screen, code } = await new Promise<{ screen: string; code: number }>((resolve, reject) => {
      execFile(
        "python3",
        [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify([command, ...full]), "[]"],
        { env: { ...process.env, NO_COLOR: "1", TERM: "xterm" }, timeout: 120_000 },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
    assert.equal(code, 0, screen);
    const drawn = [...screen.matchAll(new RegExp(`\\r${ESC}\\[2K(backfilling [^\\r\\n${ESC}]*)`, "g"))].map((m) =>
      m[1]
    );
    const pages = s.double.requests.filter((r) => r.includes("/transcript?")).length;
    assert.equal(drawn[0], "backfilling alpha/s-long (1/1)");
    assert.equal(drawn.length, 1 + pages);
    let before = 0;
    drawn.slice(1).forEach((line, i) => {
      const m = line.match(/^backfilling alpha\/s-long \(1\/1\): page (\d+), ([\d,]+) of 1,200 lines$/);
      assert.ok(m, line);
      assert.equal(Number(m[1]), i + 1);
      const read = Number(m[2].replaceAll(",", ""));
      assert.ok(read > before, drawn.join("\n"));
      before = read;
    });
    assert.equal(before, 1200);
    const piped = await ctvs(["gascity", "backfill", "--all", "--config", s.config]);
    assert.equal(piped.stderr, "");
    assert.match(piped.stdout, /^alpha\/s-long \(mayor\): 0 line\(s\) recorded/);
  } finally {
    await s.close();
  }
});
