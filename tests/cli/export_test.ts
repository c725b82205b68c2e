import assert from "node:assert/strict";
import { appendFile, readdir, stat, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { literal } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";
import { importTranscripts } from "../../query/transcript_import/import.ts";
import { ctvs, tempDir } from "../helpers/child.ts";
import { exposedEntries } from "../helpers/modes.ts";
import { jsonl, logRow, spanRow, writeDay } from "../query/_fixtures.ts";
import { writeGascityDays } from "../query/gascity/_days.ts";
import { scratch, written } from "../query/transcript_import/_setup.ts";

async function rowsOf(file: string, sql: string): Promise<unknown[]> {
  const db = await openDb();
  try {
    await db.run(`CREATE VIEW t AS SELECT * FROM read_parquet(${literal(file)}, hive_partitioning = false)`);
    return (await db.connection.runAndReadAll(sql)).getRowObjectsJson();
  } finally {
    db.close();
  }
}

test("ctvs export: one zstd Parquet per gateway/signal/date, today's open file included, filters", async () => {
  const tmp = await tempDir("ctvs-export-");
  try {
    const root = path.join(tmp.dir, "rec");
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    const today = new Date().toISOString().slice(0, 10);
    await writeDay(root, { gw: "alice", signal: "logs" }, jsonl([0, 1, 2].map((i) => logRow(i))));
    await writeDay(root, { gw: "bob", signal: "traces", date: today }, jsonl([1, 2].map((i) => spanRow(i))));
    // Today's file is still being written: its complete lines are exported, the open one is not.
    await appendFile(path.join(root, "bob", "traces", `${today}.jsonl`), '{"serviceName":"api","na');
    await writeDay(root, { gw: "alice", signal: "metrics" }, "\n");
    await writeDay(root, { gw: "alice", signal: "proxy" }, '{"exchange_id":"x"}\n');

    const r = await ctvs(["export", "--config", config]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const out = path.join(root, "parquet");
    const logs = path.join(out, "alice", "logs", "date=2025-03-01", "data.parquet");
    const traces = path.join(out, "bob", "traces", `date=${today}`, "data.parquet");
    assert.deepEqual(r.stdout.split("\n"), [
      `wrote ${logs} (3 rows, ${(await stat(logs)).size} bytes)`,
      "skip alice/metrics/2025-03-01: 0 rows",
      `wrote ${traces} (2 rows, ${(await stat(traces)).size} bytes)`,
      "Done. 2 file(s), 5 row(s).",
    ]);
    assert.deepEqual(await readdir(out), ["alice", "bob"]);
    // Exports and the cache hold the recordings' prompts: private to the user.
    assert.deepEqual(await exposedEntries(out), []);
    assert.deepEqual(await exposedEntries(path.join(root, ".collectivus-query")), []);
    assert.deepEqual(await readdir(path.join(out, "alice")), ["logs"]);
    assert.deepEqual(await rowsOf(logs, "SELECT serviceName, severityText, body FROM t"), [
      { serviceName: "api", severityText: "ERROR", body: '"message 0"' },
      { serviceName: "worker", severityText: "INFO", body: '"message 1"' },
      { serviceName: "api", severityText: "INFO", body: '"message 2"' },
    ]);
    // The v1 schema: no gateway_id, no date column.
    const [first] = await rowsOf(traces, "SELECT * FROM t LIMIT 1") as Record<string, unknown>[];
    assert.equal(Object.keys(first)[0], "serviceName");
    assert.equal(Object.keys(first).length, 22);
    assert.deepEqual(await rowsOf(traces, "SELECT name, durationMs FROM t"), [
      { name: "op-1", durationMs: 10 },
      { name: "op-2", durationMs: 20 },
    ]);

    const filtered = await ctvs([
      "export",
      "--config",
      config,
      "--out",
      path.join(tmp.dir, "x"),
      "--gateway-id",
      "alice",
      "--signal",
      "logs",
      "--date",
      "2025-03-01",
    ]);
    assert.equal(filtered.code, 0, filtered.stderr);
    const x = path.join(tmp.dir, "x", "alice", "logs", "date=2025-03-01", "data.parquet");
    assert.deepEqual(filtered.stdout.split("\n"), [
      `wrote ${x} (3 rows, ${(await stat(x)).size} bytes)`,
      "Done. 1 file(s), 3 row(s).",
    ]);
    const none = await ctvs(["export", "--config", config, "--date", "2024-01-01"]);
    assert.deepEqual([none.code, none.stdout], [0, `No JSONL files matched in ${root}.`]);
  } finally {
    await tmp.remove();
  }
});

test("ctvs export: --config required, bad --signal and --date (exit 2), no sink (exit 1), --help", async () => {
  const tmp = await tempDir("ctvs-export-");
  try {
    const missing = await ctvs(["export"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: --config is required\n\nUsage: ctvs export/);
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1 }));
    const badSignal = await ctvs(["export", "--config", config, "--signal", "proxy"]);
    assert.equal(badSignal.code, 2);
    assert.match(
      badSignal.stderr,
      /^error: --signal must be logs, traces, metrics, gascity_messages, gascity_events, transcript_messages or transcript_requests\n/,
    );
    const badDate = await ctvs(["export", "--config", config, "--date", "yesterday"]);
    assert.equal(badDate.code, 2);
    assert.match(badDate.stderr, /^error: --date must be YYYY-MM-DD, got yesterday\n/);
    const noSink = await ctvs(["export", "--config", config]);
    assert.deepEqual([noSink.code, noSink.stdout, noSink.stderr], [
      1,
      "",
      "error: config has no sink; nothing to export",
    ]);
    const help = await ctvs(["export", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: ctvs export --config <path\|url> \[--out <dir>\]/);
  } finally {
    await tmp.remove();
  }
});

test("ctvs export: a recordings folder it cannot list is an error (exit 1), not 'no files'", async () => {
  const tmp = await tempDir("ctvs-export-");
  try {
    const root = path.join(tmp.dir, "rec");
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    await writeDay(root, { gw: "alice", signal: "traces" }, jsonl([spanRow(1)]));
    // A link to itself: ELOOP, as a permission problem would be (the tests run as root, where chmod does not bite).
    await symlink(path.join(root, "alice", "logs"), path.join(root, "alice", "logs"));
    const r = await ctvs(["export", "--config", config]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `error: Cannot list ${path.join(root, "alice", "logs")}: too many symbolic links`);
    assert.equal(r.stdout, "");
  } finally {
    await tmp.remove();
  }
});

test("ctvs export: Gas City days hold each row once, though a crash wrote it twice, with and without the cache", async () => {
  const tmp = await tempDir("ctvs-export-");
  try {
    const root = path.join(tmp.dir, "rec");
    const expected = await writeGascityDays(root, "gw", ["2026-03-01", "2026-03-02"]);
    for (const enabled of [true, false]) {
      const config = path.join(tmp.dir, `config-${enabled}.json`);
      const out = path.join(tmp.dir, `out-${enabled}`);
      await writeFile(
        config,
        JSON.stringify({ version: 1, sink: { type: "file", dir: root }, query: { cache: { enabled } } }),
      );
      const r = await ctvs(["export", "--config", config, "--out", out]);
      assert.equal(r.code, 0, r.stderr);
      const file = (signal: string, date: string) => path.join(out, "gw", signal, `date=${date}`, "data.parquet");
      const counts = [expected.messages[0].length, 3, expected.messages[1].length, 2];
      const files = [
        file("gascity_messages", "2026-03-01"),
        file("gascity_events", "2026-03-01"),
        file("gascity_messages", "2026-03-02"),
        file("gascity_events", "2026-03-02"),
      ];
      assert.deepEqual(r.stdout.split("\n"), [
        ...await Promise.all(
          files.map(async (f, i) => `wrote ${f} (${counts[i]} rows, ${(await stat(f)).size} bytes)`),
        ),
        `Done. 4 file(s), ${counts.reduce((a, b) => a + b)} row(s).`,
      ]);
      for (const [i, date] of ["2026-03-01", "2026-03-02"].entries()) {
        const ids = async (signal: string, column: string) =>
          (await rowsOf(file(signal, date), `SELECT ${column} AS id FROM t ORDER BY id`)).map((r) =>
            (r as { id: string }).id
          );
        assert.deepEqual(await ids("gascity_messages", "row_id"), expected.messages[i].toSorted());
        assert.deepEqual(await ids("gascity_events", "event_id"), expected.events[i]);
      }
    }
    const one = await ctvs([
      "export",
      "--config",
      path.join(tmp.dir, "config-true.json"),
      "--out",
      path.join(tmp.dir, "one"),
      "--signal",
      "gascity_events",
      "--date",
      "2026-03-02",
    ]);
    assert.equal(one.code, 0, one.stderr);
    assert.match(one.stdout, /\(2 rows, \d+ bytes\)\nDone\. 1 file\(s\), 2 row\(s\)\.$/);
  } finally {
    await tmp.remove();
  }
});

test("ctvs export: the imported transcripts, transcript_messages under transcripts/ and transcript_requests", async () => {
  const s = await scratch();
  try {
    await importTranscripts({
      root: s.root,
      gatewayId: "gw",
      sources: ["claude_code", "codex"],
      env: { CLAUDE_CONFIG_DIR: path.dirname(s.claude), CODEX_HOME: s.codex, HOME: "/nonexistent" },
    });
    const config = path.join(s.dir, "config.json");
    const settings = { version: 1, sink: { type: "file", dir: s.root }, query: { claude_transcripts_dir: false } };
    await writeFile(config, JSON.stringify(settings));
    const [day] = Object.keys(await written(s.root, "gw", "transcripts")).map((name) => name.slice(0, 10));
    // One day, asked for alone: its requests are derived all the same.
    const r = await ctvs(["export", "--config", config, "--date", day]);
    assert.equal(r.code, 0, r.stderr);
    const out = path.join(s.root, "parquet", "gw");
    const file = (dir: string) => path.join(out, dir, `date=${day}`, "data.parquet");
    assert.deepEqual(r.stdout.split("\n").filter((l) => l.startsWith("wrote")).map((l) => l.split(" ")[1]), [
      file("transcripts"),
      file("transcript_requests"),
    ]);
    assert.match(r.stdout, /\nDone\. 2 file\(s\), 39 row\(s\)\.$/);
    // The same rows as the query shows (without gateway_id and date, which are in the path).
    const local = await ctvs([
      "query",
      "sql",
      "SELECT usage_key, model, input_tokens::INTEGER AS i, output_tokens::INTEGER AS o, cost_usd FROM transcript_requests ORDER BY 1",
      "--config",
      config,
      "--format",
      "json",
    ]);
    assert.equal(local.code, 0, local.stderr);
    const exported = await rowsOf(
      file("transcript_requests"),
      "SELECT usage_key, model, input_tokens::INTEGER AS i, output_tokens::INTEGER AS o, cost_usd FROM t ORDER BY 1",
    );
    assert.deepEqual(exported, JSON.parse(local.stdout));
    assert.equal(exported.length, 8);
    assert.deepEqual(await rowsOf(file("transcripts"), "SELECT count(*)::INTEGER AS n FROM t"), [{ n: 31 }]);
  } finally {
    await s.remove();
  }
});
