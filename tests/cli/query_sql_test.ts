import assert from "node:assert/strict";
import { appendFile, mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";
import { jsonl, logRow, writeDay } from "../query/_fixtures.ts";

/** A sink root with a config pointing at it. */
async function setup() {
  const tmp = await tempDir("ctvs-query-sql-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  return { ...tmp, root, config, q: (...args: string[]) => ctvs(["query", ...args, "--config", config]) };
}

const GROUP = "select serviceName, count(*) as n from logs group by 1 order by 1";

test("ctvs query sql: every format", async () => {
  const s = await setup();
  try {
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0), logRow(1), logRow(2)]));
    const table = await s.q("sql", GROUP);
    assert.equal(table.code, 0, table.stderr);
    assert.equal(table.stdout, "serviceName  n\n-----------  -\napi          2\nworker       1\n(2 rows)");
    assert.equal(table.stderr, "");
    const json = await s.q(
      "sql",
      "select body, attributes, timestamp from logs order by timestamp limit 2",
      "--format",
      "json",
    );
    assert.deepEqual(JSON.parse(json.stdout), [
      { body: "message 0", attributes: { "http.method": "GET", n: 0 }, timestamp: "2025-03-01T12:00:00.000Z" },
      { body: "message 1", attributes: { "http.method": "GET", n: 1 }, timestamp: "2025-03-01T12:00:01.000Z" },
    ]);
    const lines = await s.q("sql", GROUP, "--format", "jsonl");
    assert.equal(lines.stdout, '{"serviceName":"api","n":2}\n{"serviceName":"worker","n":1}');
    const csv = await s.q("sql", "select 'a,b' as x, 1 as y", "--format", "csv");
    assert.equal(csv.stdout, 'x,y\n"a,b",1');
    const md = await s.q("sql", GROUP, "--format", "markdown");
    assert.equal(md.stdout, "| serviceName | n |\n| --- | --- |\n| api | 2 |\n| worker | 1 |");
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: a long ASCII cell is cut at 80 columns in a process that never loaded string-width", async () => {
  const s = await setup();
  try {
    const long = await s.q("sql", "select repeat('a', 100) as x, 'b' as y");
    assert.equal(long.code, 0, long.stderr);
    assert.equal(long.stdout, `${"x".padEnd(80)}  y\n${"-".repeat(80)}  -\n${"a".repeat(79)}…  b\n(1 row)`);
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: tables stop at 100 rows and say so; jsonl streams every row", async () => {
  const s = await setup();
  try {
    const many = "select i from range(250) t(i)";
    const table = await s.q("sql", many);
    const lines = table.stdout.split("\n");
    assert.equal(lines.length, 2 + 100 + 1);
    assert.equal(lines.at(-1), "(showing the first 100 rows; use --format jsonl or csv for every row)");
    assert.equal((await s.q("sql", many, "--format", "jsonl")).stdout.split("\n").length, 250);
    assert.equal((await s.q("sql", many, "--format", "csv", "--limit", "7")).stdout.split("\n").length, 8);
  } finally {
    await s.remove();
  }
});

test("ctvs query sql cannot read the .tmp folder of the directory it runs in (DuckDB's default spill folder)", async () => {
  const s = await setup();
  try {
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0)]));
    const cwd = path.join(s.dir, "project");
    await mkdir(path.join(cwd, ".tmp"), { recursive: true });
    await writeFile(path.join(cwd, ".tmp", "notes.txt"), "private\n");
    for (const file of [path.join(cwd, ".tmp", "notes.txt"), ".tmp/notes.txt"]) {
      const read = await ctvs(["query", "sql", `select content from read_text('${file}')`, "--config", s.config], {
        cwd,
      });
      assert.equal(read.code, 2, `${file}: ${read.stdout}`);
      assert.match(read.stderr, /^error: SQL may only read the recordings and the query cache: Cannot access file/);
    }
    // The query itself still runs from there, also where the temp folder cannot be written (nothing is spilled then).
    const envs: Record<string, string>[] = [{}, { TMPDIR: path.join(s.dir, "missing", "tmp") }];
    for (const env of envs) {
      const count = await ctvs(["query", "sql", "select count(*) as n from logs", "--config", s.config], { cwd, env });
      assert.equal(count.stdout, "n\n-\n1\n(1 row)", count.stderr);
      const tmp = await ctvs(
        ["query", "sql", "select content from read_text('.tmp/notes.txt')", "--config", s.config],
        {
          cwd,
          env,
        },
      );
      assert.equal(tmp.code, 2, tmp.stdout);
    }
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: refusals exit 2 with the reason; bad flags exit 2", async () => {
  const s = await setup();
  try {
    const drop = await s.q("sql", "drop view logs");
    assert.equal(drop.code, 2);
    assert.equal(
      drop.stderr,
      "error: SQL must be a single read-only SELECT statement: drop statements are not allowed (the query cache is read-only)",
    );
    const passwd = await s.q("sql", "select * from read_text('/etc/passwd')");
    assert.equal(passwd.code, 2);
    assert.match(passwd.stderr, /^error: SQL may only read the recordings and the query cache: Cannot access file/);
    const format = await s.q("sql", "select 1", "--format", "xml");
    assert.equal(format.code, 2);
    assert.match(format.stderr, /^error: --format must be table, json, jsonl, markdown, or csv\n/);
    const date = await s.q("sql", "select 1", "--date", "2025-3-1");
    assert.match(date.stderr, /^error: --date must be YYYY-MM-DD, got 2025-3-1\n/);
    const bad = await s.q("sql", "select nope from logs");
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: Binder Error: Referenced column "nope" not found/);
  } finally {
    await s.remove();
  }
});

test("ctvs query: a recordings root or cache too broad for user SQL (~, /, above home) is refused, saying what to do", async () => {
  const s = await setup();
  try {
    const home = path.join(s.dir, "home");
    const run = async (sink: string, extra: string[] = []) => {
      await writeFile(s.config, JSON.stringify({ version: 1, sink: { type: "file", dir: sink } }));
      return await ctvs(["query", "sql", "select 1", "--config", s.config, ...extra], { env: { HOME: home } });
    };
    const example = `for example ${home}/.hyp/collectivus`;
    const fix = "set sink.dir (server.sink_dir for a server) to the folder of the recordings";
    for (
      const [sink, dir, reason] of [
        ["~", home, "it is the home directory"],
        ["/", "/", "it is the filesystem root"],
        [s.dir, s.dir, "it holds the home directory"],
      ]
    ) {
      const r = await run(sink);
      assert.equal(r.code, 1, r.stderr);
      assert.equal(
        r.stderr,
        `config error: ${dir} cannot be the recordings root: ${reason}, and queries may read every file under it; ` +
          `${fix}, ${example}`,
      );
    }
    const cache = await run(s.root, ["--cache-dir", "/"]);
    assert.equal(cache.code, 1);
    assert.match(
      cache.stderr,
      /^config error: \/ cannot be the query cache: it is the filesystem root, .*; set query\.cache\.dir \(or --cache-dir\) to a folder of its own, /,
    );
    const fine = await run(s.root);
    assert.equal(fine.code, 0, fine.stderr);
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: --refresh never reports a missing cache; stale warns; --strict-freshness fails", async () => {
  const s = await setup();
  try {
    const file = await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0)]));
    const missing = await s.q("sql", "select count(*) as n from logs", "--refresh", "never");
    assert.equal(missing.code, 1);
    assert.equal(
      missing.stderr,
      `error: query cache is missing for logs/alice/2025-03-01: missing (cache cursor is missing). ` +
        `Run: ctvs query refresh --config ${s.config}`,
    );
    assert.equal((await s.q("sql", "select count(*) as n from logs", "--format", "jsonl")).stdout, '{"n":1}');
    await appendFile(file, jsonl([logRow(1)]));
    const stale = await s.q("sql", "select count(*) as n from logs", "--format", "jsonl", "--refresh", "never");
    assert.equal(stale.stdout, '{"n":1}');
    assert.match(
      stale.stderr,
      /^warning: query cache last refreshed at \S+; 1 partition\(s\) outdated \[logs\/alice\/2025-03-01 \(source size changed\)\]/,
    );
    const strict = await s.q(
      "sql",
      "select count(*) from logs",
      "--refresh",
      "never",
      "--strict-freshness",
      "--date",
      "2025-03-01",
    );
    assert.equal(strict.code, 1);
    assert.equal(
      strict.stderr,
      "error: query cache is stale for logs/alice/2025-03-01: stale (source size changed) (--strict-freshness set). " +
        `Run: ctvs query refresh --config ${s.config} --date 2025-03-01`,
    );
    assert.equal((await s.q("sql", "select count(*) as n from logs", "--format", "jsonl")).stdout, '{"n":2}');
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: a refresh killed with SIGKILL leaves a valid cache; the rerun completes it exactly", async () => {
  const s = await setup();
  try {
    const line = JSON.stringify(logRow(0, { body: "y".repeat(2000) })) + "\n";
    await writeDay(s.root, { signal: "logs" }, line.repeat(30_000));
    const child = startCtvs(["query", "sql", "select count(*) from logs", "--config", s.config]);
    // Kill it mid-refresh: once its lines are being copied into the cache's incoming file.
    const epoch = path.join(
      s.root,
      ".collectivus-query",
      "cache",
      "datasets",
      "logs",
      "gateway_id=alice",
      "date=2025-03-01",
      "epoch=0",
    );
    const deadline = Date.now() + 20_000;
    while (!(await readdir(epoch).catch(() => [] as string[])).some((f) => f.startsWith(".incoming-"))) {
      assert.ok(Date.now() < deadline, child.transcript());
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    child.kill("SIGKILL");
    await child.exited;
    const again = await s.q("sql", "select count(*)::INTEGER as n from logs", "--format", "jsonl");
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout, '{"n":30000}');
  } finally {
    await s.remove();
  }
});

test("ctvs query sql: two runs at once while rows are appended never double-count", async () => {
  const s = await setup();
  try {
    const file = await writeDay(s.root, { signal: "logs" }, jsonl(Array.from({ length: 2000 }, (_, i) => logRow(i))));
    const count = "select count(*)::INTEGER as n, count(distinct attributes->>'$.n')::INTEGER as d from logs";
    const runs = [s.q("sql", count, "--format", "jsonl"), s.q("sql", count, "--format", "jsonl")];
    for (let i = 2000; i < 2100; i++) await appendFile(file, jsonl([logRow(i)]));
    for (const run of await Promise.all(runs)) {
      assert.equal(run.code, 0, run.stderr);
      const { n, d } = JSON.parse(run.stdout);
      assert.equal(n, d, run.stdout);
      assert.ok(n >= 2000 && n <= 2100, run.stdout);
    }
    assert.equal((await s.q("sql", count, "--format", "jsonl")).stdout, '{"n":2100,"d":2100}');
  } finally {
    await s.remove();
  }
});
