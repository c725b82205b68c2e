/**
 * `ctvs query refresh` and `ctvs query sample` over collections, and `refresh <file.jsonl>...` (reference §2.3): child
 * processes, exact lines, rows and exit codes. Piped, nothing but the lines is printed (no progress).
 */
import assert from "node:assert/strict";
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { DATASETS } from "../../query/datasets.ts";
import { ctvs, tempDir } from "../helpers/child.ts";
import { jsonl, logRow, spanRow, writeDay } from "../query/_fixtures.ts";

async function setup() {
  const tmp = await tempDir("ctvs-query-refresh-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  const run = async (args: string[], cwd?: string) => {
    const r = await ctvs([...args, "--config", config], cwd ? { cwd } : {});
    return { ...r, stdout: r.stdout.replace(/\/epoch=(\d+)\/part-[^ ]+\.parquet/g, "/epoch=$1/<part>") };
  };
  return { ...tmp, root, config, run };
}

const ALL = DATASETS.map((d) => d.name).join(", ");

test("ctvs query refresh and sample include collections: all, by table or name, scoped, unknown", async () => {
  const s = await setup();
  try {
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    const file = path.join(s.dir, "runs.jsonl");
    await writeFile(file, '{"n":1,"s":"a"}\n{"n":2,"s":"b"}\n');
    const collected = await s.run(["collect", file, "--name", "My Runs"]);
    assert.equal(collected.code, 0, collected.stderr);
    await appendFile(file, '{"n":3,"s":"c"}\n');

    const all = await s.run(["query", "refresh"]);
    assert.deepEqual([all.code, all.stderr], [0, ""]);
    assert.deepEqual(all.stdout.split("\n"), [
      "wrote logs/alice/2025-03-01/epoch=0/<part> (2 rows)",
      `wrote my_runs from ${file} (1 rows)`,
      "Done. 2 file(s) written, 0 fresh, 3 row(s).",
    ]);
    for (const word of ["my_runs", "My Runs"]) {
      const one = await s.run(["query", "refresh", word]);
      assert.deepEqual([one.code, one.stderr, one.stdout.split("\n")], [0, "", [
        `fresh my_runs from ${file}`,
        "Done. 0 file(s) written, 1 fresh, 0 row(s).",
      ]]);
    }
    // --date and --gateway-id scope the dataset partitions; collections are left out unless named.
    const scoped = await s.run(["query", "refresh", "--date", "2025-03-01"]);
    assert.deepEqual(scoped.stdout.split("\n"), [
      "fresh logs/alice/2025-03-01",
      "Done. 0 file(s) written, 1 fresh, 0 row(s).",
    ]);
    const forced = await s.run(["query", "refresh", "my_runs", "logs", "--force"]);
    assert.deepEqual([forced.code, forced.stderr, forced.stdout.split("\n")], [0, "", [
      "wrote logs/alice/2025-03-01/epoch=1/<part> (2 rows)",
      `wrote my_runs from ${file} (3 rows)`,
      "Done. 2 file(s) written, 0 fresh, 5 row(s).",
    ]]);

    const sample = await s.run(["query", "sample", "my_runs", "--format", "jsonl"]);
    assert.deepEqual([sample.code, sample.stderr], [0, ""]);
    assert.deepEqual(
      sample.stdout.split("\n").map((l) => JSON.parse(l)),
      [1, 2, 3].map((n) => ({
        _ctvs_source_path: file,
        _ctvs_line_number: n,
        _ctvs_raw: { n, s: "abc"[n - 1] },
        n,
        s: "abc"[n - 1],
      })),
    );
    const byName = await s.run(["query", "sample", "My Runs", "--limit", "1", "--format", "csv"]);
    assert.deepEqual([byName.code, byName.stdout], [
      0,
      `_ctvs_source_path,_ctvs_line_number,_ctvs_raw,n,s\n${file},1,"{""n"":1,""s"":""a""}",1,a`,
    ]);
    // The cache is read as it is with --refresh never: an append is not seen until a refresh.
    await appendFile(file, '{"n":4,"s":"d"}\n');
    const never = await s.run(["query", "sample", "my_runs", "--refresh", "never", "--format", "csv"]);
    assert.equal(never.stdout.split("\n").length, 4);
    const auto = await s.run(["query", "sample", "my_runs", "--format", "csv"]);
    assert.deepEqual(auto.stdout.split("\n").at(-1), `${file},4,"{""n"":4,""s"":""d""}",4,d`);
    const builtin = await s.run(["query", "sample", "logs", "--format", "jsonl", "--limit", "1"]);
    assert.equal(JSON.parse(builtin.stdout).body, "message 0");

    const unknown = await s.run(["query", "sample", "nope"]);
    assert.equal(unknown.code, 2);
    assert.equal(unknown.stderr.split("\n")[0], `error: unknown dataset "nope"; available datasets: ${ALL}, my_runs`);
    const unknownRefresh = await s.run(["query", "refresh", "nope"]);
    assert.equal(unknownRefresh.code, 2);
    assert.equal(
      unknownRefresh.stderr.split("\n")[0],
      `error: unknown dataset "nope"; available datasets: ${ALL}, my_runs`,
    );
  } finally {
    await s.remove();
  }
});

test("ctvs query refresh <file.jsonl>...: recording day files and collection sources, relative paths, --force", async () => {
  const s = await setup();
  try {
    await writeDay(s.root, { signal: "logs" }, jsonl([logRow(0), logRow(1)]));
    await writeDay(s.root, { signal: "logs", gw: "bob" }, jsonl([logRow(2)]));
    await writeDay(s.root, { signal: "traces" }, jsonl([spanRow(0)]));
    const data = path.join(s.dir, "data");
    await mkdir(data);
    const [a, b] = [path.join(data, "a.jsonl"), path.join(data, "b.jsonl")];
    await writeFile(a, '{"n":1}\n');
    await writeFile(b, '{"n":2}\n');
    const collected = await s.run(["collect", "--glob", `${data}/*.jsonl`, "--name", "runs"]);
    assert.equal(collected.code, 0, collected.stderr);

    const aliceLogs = path.join(s.root, "alice", "logs", "2025-03-01.jsonl");
    const one = await s.run(["query", "refresh", aliceLogs]);
    assert.deepEqual([one.code, one.stderr, one.stdout.split("\n")], [0, "", [
      "wrote logs/alice/2025-03-01/epoch=0/<part> (2 rows)",
      "Done. 1 file(s) written, 0 fresh, 2 row(s).",
    ]]);
    // Relative to the working directory; a file named twice is refreshed once.
    const relative = await s.run(
      ["query", "refresh", "bob/logs/2025-03-01.jsonl", "alice/traces/2025-03-01.jsonl", "./bob/logs/2025-03-01.jsonl"],
      s.root,
    );
    assert.deepEqual([relative.code, relative.stderr, relative.stdout.split("\n")], [0, "", [
      "wrote logs/bob/2025-03-01/epoch=0/<part> (1 rows)",
      "wrote traces/alice/2025-03-01/epoch=0/<part> (1 rows)",
      "Done. 2 file(s) written, 0 fresh, 2 row(s).",
    ]]);
    await appendFile(a, '{"n":3}\n');
    await appendFile(b, '{"n":4}\n');
    await appendFile(aliceLogs, jsonl([logRow(5)]));
    const source = await s.run(["query", "refresh", a]);
    assert.deepEqual([source.code, source.stderr, source.stdout.split("\n")], [0, "", [
      `wrote runs from ${a} (1 rows)`,
      "Done. 1 file(s) written, 0 fresh, 1 row(s).",
    ]]);
    const status = await s.run(["query", "status", "--format", "csv"]);
    assert.deepEqual(status.stdout.split("\n").filter((l) => /^(logs|traces|runs),/.test(l)), [
      "logs,2,1,1,0,3",
      "traces,1,1,0,0,1",
      "runs,2,1,1,0,3",
    ]);
    const both = await s.run(["query", "refresh", b, aliceLogs, "--force"]);
    assert.deepEqual([both.code, both.stderr, both.stdout.split("\n")], [0, "", [
      "wrote logs/alice/2025-03-01/epoch=1/<part> (3 rows)",
      `wrote runs from ${b} (2 rows)`,
      "Done. 2 file(s) written, 0 fresh, 5 row(s).",
    ]]);
    const rows = await s.run([
      "query",
      "sql",
      "select n from runs order by n",
      "--refresh",
      "never",
      "--format",
      "csv",
    ]);
    assert.deepEqual(rows.stdout.split("\n"), ["n", "1", "2", "3", "4"]);

    const stranger = path.join(s.dir, "elsewhere.jsonl");
    const bad = await s.run(["query", "refresh", stranger]);
    assert.equal(bad.code, 2);
    assert.equal(
      bad.stderr.split("\n")[0],
      `error: ${stranger} is not a recording day file (<root>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl under ` +
        `${s.root}) nor a source of a collection`,
    );
  } finally {
    await s.remove();
  }
});
