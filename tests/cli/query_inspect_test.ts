import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import { jsonl, logRow, metricRow, spanRow, writeDay } from "../query/_fixtures.ts";

/** A sink root with a config pointing at it. */
async function setup() {
  const tmp = await tempDir("ctvs-query-inspect-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  return { ...tmp, root, config, q: (...args: string[]) => ctvs(["query", ...args, "--config", config]) };
}

test("ctvs query status, catalog, doctor and refresh: before and after a refresh, then an append", async () => {
  const s = await setup();
  try {
    const none = await s.q("refresh");
    assert.deepEqual([none.code, none.stdout], [0, `No JSONL files matched in ${s.root}.`]);
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    await writeDay(s.root, { signal: "traces" }, jsonl([spanRow(0)]));
    await writeDay(s.root, { signal: "metrics", gw: "bob" }, jsonl([metricRow(0), metricRow(1), metricRow(2)]));
    const before = await s.q("status", "--format", "csv");
    assert.equal(before.code, 0, before.stderr);
    assert.equal(
      before.stdout,
      "dataset,sources,fresh,stale,missing,rows\nlogs,1,0,0,1,0\ntraces,1,0,0,1,0\nmetrics,1,0,0,1,0\n" +
        "proxy_messages,0,0,0,0,0\nllm_requests,0,0,0,0,0\ngascity_messages,0,0,0,0,0\ngascity_events,0,0,0,0,0\n" +
        "transcript_messages,0,0,0,0,0\ntranscript_requests,0,0,0,0,0",
    );
    const doctor = await s.q("doctor", "--format", "csv");
    assert.equal(
      doctor.stdout,
      `check,status,detail\nconfig,ok,${s.config}\nrecording_root,ok,${s.root}\n` +
        `query_cache,ok,${path.join(s.root, ".collectivus-query", "cache")}\nsource_partitions,ok,3\n` +
        `cache_freshness,warn,3 missing/stale partition(s); run: ctvs query refresh --config ${s.config}\n` +
        "background_refresh,ok,none has run",
    );
    const logsOnly = await s.q("refresh", "logs");
    assert.equal(logsOnly.code, 0, logsOnly.stderr);
    assert.match(logsOnly.stdout, /^wrote logs\/alice\/2025-03-01\/epoch=0\/part-[^ ]+\.parquet \(2 rows\)\n/);
    assert.match(logsOnly.stdout, /\nDone\. 1 file\(s\) written, 0 fresh, 2 row\(s\)\.$/);
    const all = await s.q("refresh", "--all");
    assert.deepEqual(all.stdout.split("\n").map((l) => l.replace(/\/epoch=0\/part-[^ ]+/, "/<part>")), [
      "fresh logs/alice/2025-03-01",
      "wrote traces/alice/2025-03-01/<part> (1 rows)",
      "wrote metrics/bob/2025-03-01/<part> (3 rows)",
      "Done. 2 file(s) written, 1 fresh, 4 row(s).",
    ]);
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(2)]), "append");
    const after = await s.q("status", "--format", "jsonl", "--gateway-id", "alice");
    assert.deepEqual(after.stdout.split("\n").map((l) => JSON.parse(l)), [
      { dataset: "logs", sources: 1, fresh: 0, stale: 1, missing: 0, rows: 2 },
      { dataset: "traces", sources: 1, fresh: 1, stale: 0, missing: 0, rows: 1 },
      { dataset: "metrics", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "proxy_messages", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "llm_requests", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "gascity_messages", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "gascity_events", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "transcript_messages", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
      { dataset: "transcript_requests", sources: 0, fresh: 0, stale: 0, missing: 0, rows: 0 },
    ]);
    const catalog = await s.q("catalog");
    assert.equal(
      catalog.stdout,
      "dataset              source_signal     columns  source_partitions  cached_rows\n" +
        "-------------------  ----------------  -------  -----------------  -----------\n" +
        "logs                 logs              18       1                  2\n" +
        "traces               traces            24       1                  1\n" +
        "metrics              metrics           34       1                  3\n" +
        "proxy_messages       proxy             28       0                  0\n" +
        "llm_requests         proxy             32       0                  0\n" +
        "gascity_messages     gascity_messages  55       0                  0\n" +
        "gascity_events       gascity_events    14       0                  0\n" +
        "transcript_messages  transcripts       35       0                  0\n" +
        "transcript_requests  transcript_usage  29       0                  0\n(9 rows)",
    );
    const forced = await s.q("refresh", "logs", "--force");
    assert.match(forced.stdout, /^wrote logs\/alice\/2025-03-01\/epoch=1\/part-[^ ]+\.parquet \(3 rows\)\n/);
    const doctorAfter = await s.q("doctor", "--format", "jsonl");
    assert.deepEqual(JSON.parse(doctorAfter.stdout.split("\n")[4]), {
      check: "cache_freshness",
      status: "ok",
      detail: "0 missing/stale partition(s)",
    });
    const bad = await s.q("refresh", "spans");
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      new RegExp(
        '^error: unknown dataset "spans"; available datasets: logs, traces, metrics, proxy_messages, llm_requests, ' +
          "gascity_messages, gascity_events, transcript_messages, transcript_requests\n",
      ),
    );
  } finally {
    await s.remove();
  }
});

test("ctvs query schema: one dataset or all, without a config; an unknown one exits 2", async () => {
  const one = await ctvs(["query", "schema", "traces", "--format", "csv"]);
  assert.equal(one.code, 0, one.stderr);
  const lines = one.stdout.split("\n");
  assert.equal(lines.length, 1 + 24);
  assert.deepEqual(lines.slice(0, 3), [
    "name,type,nullable,source_field",
    "gateway_id,VARCHAR,false,",
    "serviceName,VARCHAR,true,serviceName",
  ]);
  assert.ok(lines.includes("status,JSON,true,status"));
  assert.ok(lines.includes("scope_name,VARCHAR,true,scope.name"));
  assert.equal(lines.at(-1), "date,DATE,false,");
  const all = await ctvs(["query", "schema", "--format", "jsonl"]);
  const rows = all.stdout.split("\n").map((l) => JSON.parse(l));
  assert.equal(rows.length, 18 + 24 + 34 + 28 + 32 + 55 + 14 + 35 + 29);
  assert.deepEqual(rows.find((r) => r.dataset === "metrics" && r.name === "valueInt"), {
    dataset: "metrics",
    name: "valueInt",
    type: "BIGINT",
    nullable: true,
    source_field: null,
  });
  const bad = await ctvs(["query", "schema", "nope"]);
  assert.equal(bad.code, 2);
  assert.match(
    bad.stderr,
    new RegExp(
      '^error: unknown dataset "nope"; available datasets: logs, traces, metrics, proxy_messages, llm_requests, ' +
        "gascity_messages, gascity_events, transcript_messages, transcript_requests\n",
    ),
  );
});

test("ctvs query <command> --help: every command prints its usage and exits 0", async () => {
  const commands = [
    "doctor",
    "status",
    "catalog",
    "schema",
    "refresh",
    "sample",
    "sql",
    "logs",
    "traces",
    "trace",
    "metrics",
    "activity",
    "service",
    "errors",
  ];
  const top = await ctvs(["query", "--help"]);
  assert.equal(top.code, 0);
  for (const name of commands) assert.match(top.stdout, new RegExp(`\\n  ${name} +\\S`));
  for (const name of commands) {
    const help = await ctvs(["query", name, "--help"]);
    assert.equal(help.code, 0, name);
    assert.match(help.stdout, new RegExp(`^Usage: ctvs query ${name}\\b`), name);
    assert.match(help.stdout, /--strict-freshness/, name);
  }
});

test("status, catalog, doctor, refresh and the tails refuse a shared option they would ignore, naming it (exit 2)", async () => {
  const s = await setup();
  try {
    const cases = [
      [
        ["status", "--service", "api"],
        "ctvs query status",
        "--service",
        "--cache-dir, --date, --gateway-id, --format and --limit",
      ],
      [
        ["catalog", "--since", "1d"],
        "ctvs query catalog",
        "--since",
        "--cache-dir, --date, --gateway-id, --format and --limit",
      ],
      [["doctor", "--limit", "3"], "ctvs query doctor", "--limit", "--cache-dir, --date, --gateway-id and --format"],
      [["refresh", "--format", "json"], "ctvs query refresh", "--format", "--cache-dir, --date and --gateway-id"],
      [
        ["refresh", "--strict-freshness"],
        "ctvs query refresh",
        "--strict-freshness",
        "--cache-dir, --date and --gateway-id",
      ],
      [
        ["logs", "tail", "--refresh", "always"],
        "ctvs query logs tail",
        "--refresh",
        "--date, --gateway-id, --since, --from, --to, --service, --limit and --format",
      ],
      [
        ["proxy", "tail", "--strict-freshness"],
        "ctvs query proxy tail",
        "--strict-freshness",
        "--date, --gateway-id, --since, --from, --to, --service, --limit and --format",
      ],
    ] as const;
    for (const [args, name, flag, used] of cases) {
      const r = await s.q(...args);
      assert.equal(r.code, 2, `${name}: ${r.stderr}`);
      assert.equal(
        r.stderr.split("\n")[0],
        `error: ${name} does not take ${flag}: of the query options it uses only ${used}`,
      );
    }
    // What they use still works.
    const ok = await s.q("status", "--date", "2025-03-01", "--format", "csv", "--limit", "1");
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await s.remove();
  }
});
