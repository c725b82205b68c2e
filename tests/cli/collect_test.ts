import assert from "node:assert/strict";
import { appendFile, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";

async function setup() {
  const tmp = await tempDir("ctvs-collect-");
  const root = path.join(tmp.dir, "rec");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
  const run = (...args: string[]) => ctvs([...args, "--config", config]);
  /** The jsonl rows of a query. */
  const q = async (sql: string, ...extra: string[]) => {
    const r = await run("query", "sql", sql, "--format", "jsonl", ...extra);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout === "" ? [] : r.stdout.split("\n").map((l) => JSON.parse(l));
  };
  return { ...tmp, root, run, q };
}

test("ctvs collect <file>: inferred columns, exact rows, schema drift re-reads as a new epoch", async () => {
  const s = await setup();
  try {
    const file = path.join(s.dir, "events.jsonl");
    await writeFile(
      file,
      '{"ts":"2025-03-01T10:00:00Z","user-id":1,"ok":true,"msg":"hi"}\n\n' +
        'oops\n{"ts":"2025-03-01T11:00:00Z","user-id":2,"ok":false,"msg":null}\n',
    );
    const r = await s.run("collect", file, "--name", "My Events");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      [
        "Registered My Events as table my_events",
        "SQL table name: my_events",
        `wrote my_events from ${file} (2 rows)`,
        "Done. 1 file(s) written, 0 fresh, 2 row(s).",
        'Query with: ctvs query sql "select * from my_events"',
      ].join("\n"),
    );
    assert.match(r.stderr, /skipping malformed JSONL line .*events\.jsonl:3: /);
    assert.deepEqual(await s.q("select * from my_events"), [
      {
        _ctvs_source_path: file,
        _ctvs_line_number: 1,
        _ctvs_raw: { ts: "2025-03-01T10:00:00Z", "user-id": 1, ok: true, msg: "hi" },
        ts: "2025-03-01T10:00:00.000Z",
        user_id: 1,
        ok: true,
        msg: "hi",
      },
      {
        _ctvs_source_path: file,
        _ctvs_line_number: 4,
        _ctvs_raw: { ts: "2025-03-01T11:00:00Z", "user-id": 2, ok: false, msg: null },
        ts: "2025-03-01T11:00:00.000Z",
        user_id: 2,
        ok: false,
        msg: null,
      },
    ]);
    const schema = async () => {
      const out = await s.run("query", "schema", "my_events", "--format", "csv");
      assert.equal(out.code, 0, out.stderr);
      return out.stdout.split("\n");
    };
    assert.deepEqual(await schema(), [
      "name,type,nullable,source_field",
      "_ctvs_source_path,VARCHAR,false,",
      "_ctvs_line_number,INTEGER,false,",
      "_ctvs_raw,JSON,false,",
      "ts,TIMESTAMP,false,ts",
      "user_id,DOUBLE,false,user-id",
      "ok,BOOLEAN,false,ok",
      "msg,VARCHAR,true,msg",
    ]);
    // Drift: user-id turns into a string and a new field appears; the whole file is read again as epoch 1.
    await appendFile(file, '{"ts":"2025-03-01T12:00:00Z","user-id":"u3","tags":["a"]}\n');
    assert.deepEqual(
      await s.q("select _ctvs_line_number, user_id, msg, tags from my_events order by 1", "--since", "100000d"),
      [
        { _ctvs_line_number: 1, user_id: 1, msg: "hi", tags: null },
        { _ctvs_line_number: 4, user_id: 2, msg: null, tags: null },
        { _ctvs_line_number: 5, user_id: "u3", msg: null, tags: ["a"] },
      ],
    );
    assert.deepEqual((await schema()).slice(4), [
      "ts,TIMESTAMP,false,ts",
      "user_id,JSON,false,user-id",
      "ok,BOOLEAN,true,ok",
      "msg,VARCHAR,true,msg",
      "tags,JSON,true,tags",
    ]);
    const cacheDir = path.join(s.root, ".collectivus-query", "cache", "collections", "my_events");
    const [sourceDir] = await readdir(cacheDir);
    const cursor = JSON.parse(await readFile(path.join(cacheDir, sourceDir, "cursor.json"), "utf8"));
    assert.deepEqual([cursor.source_epoch, cursor.row_count, cursor.line_number], [1, 3, 5]);
    // The time filter uses ts.
    assert.deepEqual(await s.q("select _ctvs_line_number from my_events", "--from", "2025-03-01T10:30:00Z"), [
      { _ctvs_line_number: 4 },
      { _ctvs_line_number: 5 },
    ]);
    const exists = await s.run("collect", file, "--name", "my events");
    assert.deepEqual([exists.code, exists.stderr], [
      1,
      'error: collection "my_events" already exists; pass --replace to update it',
    ]);
    const builtIn = await s.run("collect", file, "--name", "Logs");
    assert.deepEqual([builtIn.code, builtIn.stderr], [
      1,
      'error: collection table "logs" conflicts with a built-in query dataset',
    ]);
    const replaced = await s.run("collect", file, "--name", "my_events", "--replace", "--timestamp-column", "ts");
    assert.equal(replaced.code, 0, replaced.stderr);
    assert.equal(replaced.stdout.split("\n")[1], `wrote my_events from ${file} (3 rows)`);
  } finally {
    await s.remove();
  }
});

test("ctvs collect --glob: sources merge; a deleted source stays queryable; list, remove, status, catalog", async () => {
  const s = await setup();
  try {
    const data = path.join(s.dir, "data");
    await mkdir(path.join(data, "a"), { recursive: true });
    await writeFile(path.join(data, "a", "x.jsonl"), '{"n":1,"serviceName":"api"}\n{"n":2,"serviceName":"web"}\n');
    await writeFile(path.join(data, "y.jsonl"), '{"n":3,"s":"z"}\n');
    await writeFile(path.join(data, "skip.json"), '{"n":99}\n');
    const r = await s.run("collect", "--glob", `${data}/**/*.jsonl`, "--name", "runs");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout.split("\n").at(-2), "Done. 2 file(s) written, 0 fresh, 3 row(s).");
    assert.deepEqual(await s.q("select n, s, servicename from runs order by n"), [
      { n: 1, s: null, servicename: "api" },
      { n: 2, s: null, servicename: "web" },
      { n: 3, s: "z", servicename: null },
    ]);
    assert.deepEqual(await s.q("select n from runs", "--service", "web"), [{ n: 2 }]);
    await rm(path.join(data, "a", "x.jsonl"));
    await writeFile(path.join(data, "new.jsonl"), '{"n":4}\n');
    assert.deepEqual(await s.q("select n from runs order by n"), [{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }]);
    const status = await s.run("query", "status", "--format", "csv");
    assert.equal(status.stdout.split("\n").at(-1), "runs,2,3,0,0,4");
    const catalog = await s.run("query", "catalog", "--format", "csv");
    assert.equal(catalog.stdout.split("\n").at(-1), "runs,collection,6,3,4");
    const list = await s.run("collect", "list", "--format", "csv");
    assert.deepEqual(list.stdout.split("\n"), [
      "name,table,source_path,timestamp_column",
      `runs,runs,${data}/**/*.jsonl,`,
    ]);
    const removed = await s.run("collect", "remove", "runs");
    assert.deepEqual([removed.code, removed.stdout], [0, "Removed collection runs (runs)"]);
    const again = await s.run("collect", "remove", "runs");
    assert.deepEqual([again.code, again.stderr], [1, "error: collection not found: runs"]);
    const gone = await s.run("query", "sql", "select * from runs");
    assert.equal(gone.code, 1);
  } finally {
    await s.remove();
  }
});

test("ctvs collect: usage errors exit 2; a missing file exits 1; --help", async () => {
  const s = await setup();
  try {
    for (
      const [args, message] of [
        [["collect", "--name", "x"], "JSONL file path is required"],
        [["collect", "a.jsonl"], "--name is required"],
        [["collect", "remove"], "remove requires a collection name or table"],
        [["collect", "a.jsonl", "b.jsonl", "--name", "x"], "unexpected argument: b.jsonl"],
      ] as const
    ) {
      const r = await s.run(...args);
      assert.equal(r.code, 2, args.join(" "));
      assert.equal(r.stderr.split("\n")[0], `error: ${message}`);
    }
    const missing = await s.run("collect", path.join(s.dir, "nope.jsonl"), "--name", "x");
    assert.deepEqual([missing.code, missing.stderr], [
      1,
      `error: JSONL file not found: ${path.join(s.dir, "nope.jsonl")}`,
    ]);
    const help = await ctvs(["collect", "--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: ctvs collect <file\.jsonl> --name <name>/);
  } finally {
    await s.remove();
  }
});

test("ctvs collect: a 20 MiB line is read whole (the read is sized to the longest line)", async () => {
  const s = await setup();
  try {
    const file = path.join(s.dir, "big.jsonl");
    const big = "x".repeat(20 * 1024 * 1024);
    await writeFile(
      file,
      `{"ts":"2025-03-01T10:00:00Z","msg":"small"}\n{"ts":"2025-03-01T11:00:00Z","msg":"${big}"}\n`,
    );
    const r = await s.run("collect", file, "--name", "big");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await s.q("select length(msg)::INTEGER AS n from big order by ts"), [{ n: 5 }, { n: big.length }]);
  } finally {
    await s.remove();
  }
});

test("ctvs collect: a line of Latin-1 bytes, longer once decoded, is still read whole", async () => {
  const s = await setup();
  try {
    const file = path.join(s.dir, "latin1.jsonl");
    // 12 MiB of the byte 0xE9 (é in Latin-1, invalid UTF-8): each becomes a 3-byte U+FFFD when decoded, 36 MiB.
    const head = new TextEncoder().encode('{"ts":"2025-03-01T10:00:00Z","msg":"');
    const tail = new TextEncoder().encode('"}\n');
    const bytes = new Uint8Array(head.length + 12 * 1024 * 1024 + tail.length).fill(0xe9);
    bytes.set(head, 0);
    bytes.set(tail, bytes.length - tail.length);
    await writeFile(file, bytes);
    const r = await s.run("collect", file, "--name", "latin");
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(await s.q("select length(msg)::INTEGER AS n from latin"), [{ n: 12 * 1024 * 1024 }]);
  } finally {
    await s.remove();
  }
});

test("ctvs collect --glob says when nothing matches yet, and when ** sits inside a name", async () => {
  const s = await setup();
  try {
    const data = path.join(s.dir, "data");
    await mkdir(path.join(data, "a"), { recursive: true });
    await writeFile(path.join(data, "a", "x.jsonl"), '{"n":1}\n');
    const r = await s.run("collect", "--glob", `${data}/**.jsonl`, "--name", "flat");
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stderr,
      "note: ** matches any number of folders only as a whole path segment, as in /data/**/*.jsonl\n" +
        `note: no file matches ${data}/**.jsonl yet; files that match later are read by every query`,
    );
    await writeFile(path.join(data, "y.jsonl"), '{"n":2}\n');
    assert.deepEqual(await s.q("select n from flat"), [{ n: 2 }]);
  } finally {
    await s.remove();
  }
});
