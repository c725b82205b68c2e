import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { atomicWrite, stageFile } from "../../platform/atomic_write.ts";
import { Child, denoRun, tempDir } from "../helpers/child.ts";

async function mode(file: string): Promise<number> {
  return (await fs.stat(file)).mode & 0o777;
}

test("atomicWrite() creates the file 0600 and new parent directories 0700 by default", async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, "a", "b", "state.json");
    await atomicWrite(file, "{}\n");
    assert.equal(await fs.readFile(file, "utf8"), "{}\n");
    assert.equal(await mode(file), 0o600);
    assert.equal(await mode(path.join(dir, "a")), 0o700);
    assert.equal(await mode(path.join(dir, "a", "b")), 0o700);
    assert.deepEqual(await fs.readdir(path.join(dir, "a", "b")), ["state.json"]);
  } finally {
    await remove();
  }
});

test("atomicWrite() sets the caller's mode exactly, whatever the umask and the old file's mode", async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, "unit.service");
    await fs.writeFile(file, "old", { mode: 0o600 });
    await atomicWrite(file, new TextEncoder().encode("new"), { mode: 0o664 });
    assert.equal(await fs.readFile(file, "utf8"), "new");
    assert.equal(await mode(file), 0o664);
  } finally {
    await remove();
  }
});

test("atomicWrite() that fails leaves the old file and no temporary file", async () => {
  const { dir, remove } = await tempDir();
  try {
    const target = path.join(dir, "taken");
    await fs.mkdir(target);
    await fs.writeFile(path.join(target, "inside"), "x");
    await assert.rejects(atomicWrite(target, "data"));
    assert.deepEqual(await fs.readdir(dir), ["taken"]);
  } finally {
    await remove();
  }
});

test("stageFile() discards an uncommitted file, and a commit twice is refused", async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, "part.parquet");
    const dropped = await stageFile(file);
    await fs.writeFile(dropped.path, "half");
    await dropped.discard();
    assert.deepEqual(await fs.readdir(dir), []);
    const staged = await stageFile(file, { mode: 0o644 });
    await fs.writeFile(staged.path, "whole");
    await staged.commit();
    await assert.rejects(staged.commit(), /Cannot commit .*part\.parquet: already committed/);
    await staged.discard();
    assert.equal(await fs.readFile(file, "utf8"), "whole");
    assert.equal(await mode(file), 0o644);
  } finally {
    await remove();
  }
});

test("a process killed in the middle of a replace leaves the old content whole", async () => {
  const { dir, remove } = await tempDir();
  try {
    const file = path.join(dir, "cursor.json");
    await atomicWrite(file, '{"offset":1}\n');
    const [command, args] = denoRun("tests/fixtures/fs_child.ts", ["stage", file]);
    const child = new Child(command, args);
    await child.waitFor(/^staged$/, 30_000);
    process.kill(child.process.pid!, "SIGKILL");
    await child.exited;
    assert.equal(await fs.readFile(file, "utf8"), '{"offset":1}\n');
    const left = (await fs.readdir(dir)).filter((n) => n !== "cursor.json");
    assert.equal(left.length, 1);
    assert.match(left[0], /^cursor\.json\.\d+-[0-9a-f]+\.tmp$/);
  } finally {
    await remove();
  }
});
