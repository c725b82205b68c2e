import assert from "node:assert/strict";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { homedir, tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { SqlRefusedError } from "../../query/read_only_sql.ts";
import { openSession } from "../../query/session.ts";

const TABLE = {
  name: "logs",
  columns: [{ name: "x", type: "INTEGER" }],
  files: [],
  scope: { timestamps: [], services: [], partitioned: false },
};

async function refusal(sql: string, allowed = ["/nonexistent-ctvs/root"]): Promise<string> {
  const session = await openSession([TABLE], {}, allowed);
  try {
    await session.query(sql);
  } catch (err) {
    assert.ok(err instanceof SqlRefusedError, `${sql}: ${(err as Error).message}`);
    return err.message;
  } finally {
    session.close();
  }
  throw new Error(`not refused: ${sql}`);
}

const P = "SQL must be a single read-only SELECT statement";

test("prepareReadOnly() refuses every kind of statement but one SELECT, saying why", async () => {
  const cases: [string, string][] = [
    ["", "SQL query is required"],
    ["   ", "SQL query is required"],
    ["selec 1", `${P}: Parser Error: syntax error at or near "selec"`],
    ["select 1; select 2", `${P}: got 2 statements; run them one at a time`],
    ["insert into logs values (1)", `${P}: insert statements are not allowed (the query cache is read-only)`],
    ["update logs set x = 1", `${P}: update statements are not allowed (the query cache is read-only)`],
    ["delete from logs", `${P}: delete statements are not allowed (the query cache is read-only)`],
    ["create table t (x int)", `${P}: create statements are not allowed (the query cache is read-only)`],
    ["drop view logs", `${P}: drop statements are not allowed (the query cache is read-only)`],
    ["attach '/tmp/x.db'", `${P}: attach statements are not allowed (the query cache is read-only)`],
    ["install httpfs", `${P}: install statements are not allowed (the query cache is read-only)`],
    ["load json", `${P}: load statements are not allowed (the query cache is read-only)`],
    ["set threads = 1", `${P}: set statements are not allowed (the query cache is read-only)`],
    ["pragma version", `${P}: pragma statements are not allowed (the query cache is read-only)`],
    ["copy (select 1) to '/tmp/x.csv'", `${P}: copy statements are not allowed (the query cache is read-only)`],
    ["export database '/tmp/x'", `${P}: export statements are not allowed (the query cache is read-only)`],
    ["explain select 1", `${P}: explain statements are not allowed (the query cache is read-only)`],
    ["call pragma_version()", `${P}: call statements are not allowed (the query cache is read-only)`],
    ["describe logs", `${P}: describe statements are not allowed (the query cache is read-only)`],
    ["/* hi */ -- x\n vacuum", `${P}: vacuum statements are not allowed (the query cache is read-only)`],
    [
      "with x as (select 1) insert into logs select 1",
      `${P}: a WITH must end in a SELECT (the query cache is read-only)`,
    ],
  ];
  for (const [sql, message] of cases) {
    const got = await refusal(sql);
    if (sql === "selec 1") assert.ok(got.startsWith(message), got);
    else assert.equal(got, message, sql);
  }
});

test("a SELECT cannot read files outside the allowed directories", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-ro-"));
  try {
    await writeFile(path.join(dir, "inside.csv"), "a\n1\n");
    const outside = "select * from read_text('/etc/passwd')";
    assert.match(await refusal(outside, [dir]), /^SQL may only read the recordings and the query cache: Cannot access/);
    // A bare path is not even looked up as a file: external access is off, so it is an unknown table.
    const bare = await openSession([TABLE], {}, [dir]);
    await assert.rejects(bare.query(`select * from '/etc/hostname'`), /Table with name \/etc\/hostname does not exist/);
    bare.close();
    assert.match(await refusal(`select * from read_csv('${dir}/../x.csv')`, [dir]), /Cannot access file/);
    const session = await openSession([TABLE], {}, [dir]);
    const rows = await (await session.query(`select * from read_csv('${dir}/inside.csv')`)).getRowObjectsJS();
    assert.deepEqual(rows, [{ a: 1n }]);
    session.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a symbolic link inside the data that points outside cannot be read through", async () => {
  const dir = await mkdtemp(path.join(tmpdir(), "ctvs-ro-"));
  try {
    const root = path.join(dir, "rec");
    const outside = path.join(dir, "outside");
    await mkdir(path.join(root, "gw", "logs"), { recursive: true });
    await mkdir(outside);
    await writeFile(path.join(outside, "secret.jsonl"), '{"secret":"hunter2"}\n');
    await writeFile(path.join(root, "gw", "logs", "2025-03-01.jsonl"), '{"ok":1}\n');
    await symlink(outside, path.join(root, "gw", "linked-dir"));
    await symlink(path.join(outside, "secret.jsonl"), path.join(root, "gw", "logs", "2025-03-02.jsonl"));
    for (
      const target of [
        `${root}/gw/linked-dir/secret.jsonl`,
        `${root}/gw/logs/2025-03-02.jsonl`,
        `${root}/gw/linked-dir/*.jsonl`,
      ]
    ) {
      assert.match(
        await refusal(`select * from read_json_auto('${target}')`, [root]),
        /^SQL may only read the recordings and the query cache: Cannot access file/,
        target,
      );
      assert.match(await refusal(`select * from read_text('${target}')`, [root]), /Cannot access file/, target);
    }
    // A glob over the data names the linked file but does not walk the linked folder; the data stays readable.
    const session = await openSession([TABLE], {}, [root]);
    try {
      const files = await (await session.query(`select file from glob('${root}/**/*.jsonl') order by 1`))
        .getRowObjectsJS();
      assert.deepEqual(files, [
        { file: `${root}/gw/logs/2025-03-01.jsonl` },
        { file: `${root}/gw/logs/2025-03-02.jsonl` },
      ]);
      const rows = await (await session.query(`select ok from read_json_auto('${root}/gw/logs/2025-03-01.jsonl')`))
        .getRowObjectsJS();
      assert.deepEqual(rows, [{ ok: 1n }]);
    } finally {
      session.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("a session refuses an allowed directory too broad for user SQL: /, a top-level folder, the home folder", async () => {
  const cases = [
    ["/", "it is the filesystem root"],
    ["/var", "it is a top-level directory"],
    [homedir(), "it is the home directory"],
    // A home inside the temporary folder (HOME=$(mktemp -d)) makes that folder one that holds it.
    [
      tmpdir(),
      homedir().startsWith(tmpdir() + path.sep)
        ? "it holds the home directory"
        : "it is the shared temporary directory",
    ],
  ];
  // Not when home is a top-level folder (root's /root): its parent is then / itself.
  if (path.dirname(homedir()) !== "/") cases.push([path.dirname(homedir()), "it holds the home directory"]);
  for (const [dir, reason] of cases) {
    await assert.rejects(
      openSession([TABLE], {}, ["/nonexistent-ctvs/root", dir]),
      new RangeError(`Cannot let SQL read ${dir}: ${reason}, too broad a directory for user SQL`),
    );
  }
});

test("WITH, FROM-first and UNION are SELECTs and run", async () => {
  const session = await openSession([TABLE], {}, ["/nonexistent-ctvs/root"]);
  try {
    for (const sql of ["with a as (select 1 as n) select n from a", "from logs", "select 1 as n union all select 2"]) {
      assert.ok(await session.query(sql), sql);
    }
  } finally {
    session.close();
  }
});
