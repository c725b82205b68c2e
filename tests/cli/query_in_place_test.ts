/**
 * Whole `ctvs query` processes over days the cache lacks: with `--refresh background` (and `auto` on a terminal) the
 * answer comes from the JSONL in place and a detached `ctvs query refresh --background` builds the cache, which the
 * next query uses; piped (and in CI) `auto` refreshes first and starts nothing; a query that meets a partition lock
 * held by a (background) refresh answers in place without waiting for it. The size from which a day is read in place
 * is set to 1 byte here (`COLLECTIVUS_QUERY_IN_PLACE_BYTES`), so small days qualify.
 */
import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { backgroundLock, backgroundLog } from "../../cli/query/background_refresh.ts";
import { acquireFileLock, lockOwner } from "../../platform/file_lock.ts";
import { CI_VARIABLES } from "../../platform/update_check.ts";
import { backgroundDir, defaultCacheDir, partitionDir } from "../../query/cache_layout.ts";
import { DATASETS } from "../../query/datasets.ts";
import { partitionStatuses } from "../../query/partition_status.ts";
import { ctvs, tempDir } from "../helpers/child.ts";
import { onTerminal, progressAndLines } from "../helpers/pty.ts";
import { until } from "../helpers/until.ts";
import { jsonl, logRow, metricRow, spanRow, writeDay } from "../query/_fixtures.ts";

const SMALL = { COLLECTIVUS_QUERY_IN_PLACE_BYTES: "1" };
const ACTIVITY = ["query", "activity", "--format", "jsonl", "--limit", "100"];
const COUNT = ["query", "sql", "select count(*) as n from logs", "--format", "csv"];

/** A root with a day of logs (a malformed line and a line being written included), traces and metrics. */
async function recordings() {
  const tmp = await tempDir("ctvs-in-place-cli-");
  const root = path.join(tmp.dir, "rec");
  const cache = defaultCacheDir(root);
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  await writeDay(root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]) + "{oops\n" + jsonl([logRow(2)]) + '{"ser');
  await writeDay(root, { signal: "traces" }, jsonl([spanRow(0), spanRow(1)]));
  await writeDay(root, { signal: "metrics" }, jsonl([metricRow(0), metricRow(1)]));
  const states = async () => (await partitionStatuses(root, cache, DATASETS)).map((s) => s.freshness.state);
  return {
    tmp,
    root,
    cache,
    config,
    states,
    /** Waits until no background refresh runs and the partitions of the first `count` datasets are cached. */
    cached: async (count = 3) => {
      await until(
        "the background refresh built the cache",
        async () =>
          await lockOwner(backgroundLock(cache)) === undefined &&
          (await states()).slice(0, count).every((s) => s === "fresh"),
        { timeoutMs: 60_000 },
      ).catch(async (err) => {
        const log = await readFile(backgroundLog(cache), "utf8").catch(() => "(no log)");
        throw new Error(`${err.message}; states ${await states()}; log:\n${log}`);
      });
    },
  };
}

test("--refresh background: the answer from the JSONL, then a background refresh builds the cache the next query uses", async () => {
  const r = await recordings();
  try {
    const first = await ctvs([...ACTIVITY, "--config", r.config, "--refresh", "background"], { env: SMALL });
    assert.deepEqual([first.code, first.stderr], [0, ""]);
    assert.equal(first.stdout.split("\n").length, 7, first.stdout);
    await r.cached();
    const log = (await readFile(backgroundLog(r.cache), "utf8")).split("\n");
    assert.match(log[0], /^background refresh started \d{4}-.*Z \(pid \d+\)$/);
    assert.deepEqual(log.filter((l) => l.startsWith("wrote ")).map((l) => l.split("/epoch=")[0]).sort(), [
      "wrote logs/alice/2025-03-01",
      "wrote metrics/alice/2025-03-01",
      "wrote traces/alice/2025-03-01",
    ]);
    const malformed = `[collectivus] skipping malformed JSONL line ${
      path.join(r.root, "alice", "logs", "2025-03-01.jsonl")
    }:3: `;
    assert.ok(log.some((l) => l.startsWith(malformed)), log.join("\n"));
    assert.match(log.at(-2)!, /^background refresh ended /);
    const doctor = await ctvs(["query", "doctor", "--format", "jsonl", "--config", r.config]);
    assert.deepEqual(JSON.parse(doctor.stdout.split("\n")[5]), {
      check: "background_refresh",
      status: "ok",
      detail: `the last one (${log[0].split(" ")[3]}) ended; see ${backgroundLog(r.cache)}`,
    });
    // The cache answers alone now (never refreshes nothing, and fails on a missing partition), the same rows.
    const cached = await ctvs([...ACTIVITY, "--config", r.config, "--refresh", "never"]);
    assert.deepEqual([cached.code, cached.stdout, cached.stderr], [0, first.stdout, ""]);
    // Nothing left to read in place: no second background refresh.
    const before = await stat(backgroundLog(r.cache));
    const again = await ctvs([...ACTIVITY, "--config", r.config, "--refresh", "background"], { env: SMALL });
    assert.deepEqual([again.code, again.stdout], [0, first.stdout]);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    // Run by hand with nothing queued, it leaves the last one's log as it was.
    const idle = await ctvs(["query", "refresh", "--background", "--config", r.config]);
    assert.deepEqual([idle.code, idle.stdout, idle.stderr], [0, "", ""]);
    assert.equal((await stat(backgroundLog(r.cache))).mtimeMs, before.mtimeMs);
    const named = await ctvs(["query", "refresh", "--background", "logs", "--config", r.config]);
    assert.equal(named.code, 2);
    assert.match(named.stderr, /^error: --background refreshes what queries queued: name nothing else\n/);
  } finally {
    await r.tmp.remove();
  }
});

test("piped, --refresh auto refreshes first and starts nothing in the background", async () => {
  const r = await recordings();
  try {
    const piped = await ctvs([...ACTIVITY, "--config", r.config], { env: SMALL });
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stderr, /skipping malformed JSONL line .*2025-03-01\.jsonl:3:/);
    assert.deepEqual(await r.states(), ["fresh", "fresh", "fresh"], "cached before the answer");
    await assert.rejects(stat(backgroundDir(r.cache)), /ENOENT/);
  } finally {
    await r.tmp.remove();
  }
});

test("a query that meets a partition a background refresh is converting answers in place without waiting", async () => {
  const r = await recordings();
  // What a running background refresh holds: its own lock, and the lock of the partition it converts.
  const partition = partitionDir(r.cache, "logs", "alice", "2025-03-01");
  const locks = [
    await acquireFileLock(backgroundLock(r.cache)),
    await acquireFileLock(path.join(partition, ".refresh.lock")),
  ];
  try {
    // Piped and small: it would refresh first, and the partition lock would hold it up to two minutes.
    const count = await ctvs([...COUNT, "--config", r.config]);
    assert.deepEqual([count.code, count.stdout], [0, "n\n3"], count.stderr);
    assert.deepEqual(await r.states(), ["missing", "missing", "missing"], "the held partition was read, not refreshed");
    // --refresh background while one runs: the day files are queued for it, and no second one is started.
    const queued = await ctvs([...ACTIVITY, "--config", r.config, "--refresh", "background"], { env: SMALL });
    assert.equal(queued.code, 0, queued.stderr);
    assert.equal(queued.stdout.split("\n").length, 7);
    const queue = ["logs", "traces", "metrics"].map((s) => `${path.join(r.root, "alice", s, "2025-03-01.jsonl")}\n`);
    assert.equal(await readFile(path.join(backgroundDir(r.cache), "queue"), "utf8"), queue.join(""));
    await assert.rejects(stat(backgroundLog(r.cache)), /ENOENT/, "no background refresh ran");
    const doctor = await ctvs(["query", "doctor", "--format", "csv", "--config", r.config]);
    assert.equal(doctor.stdout.split("\n").at(-1), `background_refresh,ok,running (pid ${process.pid})`);
    for (const lock of locks) await lock.release();
    // The one that runs next takes what is queued.
    const drained = await ctvs(["query", "refresh", "--background", "--config", r.config]);
    assert.deepEqual([drained.code, drained.stdout, drained.stderr], [0, "", ""]);
    assert.deepEqual(await r.states(), ["fresh", "fresh", "fresh"]);
    await assert.rejects(stat(path.join(backgroundDir(r.cache), "queue")), /ENOENT/);
    assert.match(
      await readFile(backgroundLog(r.cache), "utf8"),
      /\nDone\. 3 file\(s\) written, 0 fresh, 7 row\(s\)\.\n/,
    );
  } finally {
    for (const lock of locks) await lock.release();
    await r.tmp.remove();
  }
});

test("on a terminal, --refresh auto reads in place with a progress line and caches in the background; not in CI", async () => {
  const r = await recordings();
  try {
    // As outside CI, whatever runs this test.
    const env = { ...SMALL, ...Object.fromEntries(CI_VARIABLES.map((name) => [name, undefined])) };
    const shown = await onTerminal(["query", "sql", "select count(*) as n from logs", "--config", r.config], env);
    assert.equal(shown.code, 0, shown.screen);
    const { progress, lines } = progressAndLines(shown.screen, ["reading"]);
    assert.deepEqual(lines, ["n", "-", "3", "(1 row)"]);
    assert.ok(progress.length >= 1, shown.screen);
    for (const line of progress) {
      assert.match(
        line,
        /^reading logs\/alice\/2025-03-01 from its JSONL \(0\.0 MB; cached in the background after\)(: \d+%)?$/,
      );
    }
    await r.cached(1);

    const ci = await recordings();
    try {
      const inCi = await onTerminal(["query", "sql", "select count(*) as n from logs", "--config", ci.config], {
        ...SMALL,
        CI: "true",
      });
      assert.equal(inCi.code, 0, inCi.screen);
      assert.deepEqual(progressAndLines(inCi.screen, ["reading"]).progress, []);
      assert.deepEqual(await ci.states(), ["fresh", "missing", "missing"], "logs refreshed first");
      await assert.rejects(stat(backgroundDir(ci.cache)), /ENOENT/);
    } finally {
      await ci.tmp.remove();
    }
  } finally {
    await r.tmp.remove();
  }
});

test("a background refresh that fails says why in its log, and ctvs query doctor warns", async () => {
  const r = await recordings();
  try {
    // Where the logs partition's first epoch should be, a file: its refresh cannot write.
    const partition = partitionDir(r.cache, "logs", "alice", "2025-03-01");
    await mkdir(partition, { recursive: true });
    await writeFile(path.join(partition, "epoch=0"), "");
    const query = await ctvs([...COUNT, "--config", r.config, "--refresh", "background"], { env: SMALL });
    assert.deepEqual([query.code, query.stdout], [0, "n\n3"], query.stderr);
    await until(
      "the background refresh ended",
      async () => /^background refresh ended /m.test(await readFile(backgroundLog(r.cache), "utf8").catch(() => "")),
      { timeoutMs: 60_000 },
    );
    const log = await readFile(backgroundLog(r.cache), "utf8");
    assert.match(
      log,
      /\nerror: refresh failed for logs\/alice\/2025-03-01: .*\nDone\. 0 file\(s\) written, 0 fresh, 0 row\(s\), 1 failure\(s\)\.\n/,
    );
    const doctor = await ctvs(["query", "doctor", "--format", "jsonl", "--config", r.config]);
    const check = JSON.parse(doctor.stdout.split("\n").at(-1)!);
    assert.equal(check.status, "warn");
    assert.match(
      check.detail,
      /^the last one \(\S+\) failed: refresh failed for logs\/alice\/2025-03-01: .*EEXIST.*; see /,
    );
    assert.ok(check.detail.endsWith(`; see ${backgroundLog(r.cache)}`), check.detail);
  } finally {
    await r.tmp.remove();
  }
});
