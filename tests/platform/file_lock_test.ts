import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { acquireFileLock, FileLockTimeoutError, withFileLock } from "../../platform/file_lock.ts";
import { Child, denoRun, tempDir } from "../helpers/child.ts";

const CONTENDERS = Number(process.env.CONTENDERS ?? 6);
const ROUNDS = Number(process.env.ROUNDS ?? 10);

function fsChild(args: string[], stdin: "pipe" | "ignore" = "ignore"): Child {
  const [command, full] = denoRun("tests/fixtures/fs_child.ts", args);
  return new Child(command, full, { stdin });
}

/** Starts a child that takes the lock, then kills it with SIGKILL: the lock is left to a dead owner. */
async function killedOwner(lockPath: string): Promise<number> {
  const owner = fsChild(["hold", lockPath]);
  await owner.waitFor(/^locked$/, 30_000);
  owner.kill("SIGKILL");
  await owner.exited;
  return owner.process.pid!;
}

test("withFileLock() serializes work in one process and releases after a throw", async () => {
  const { dir, remove } = await tempDir();
  try {
    const lockPath = path.join(dir, "a.lock");
    const order: string[] = [];
    const work = (name: string) =>
      withFileLock(lockPath, async () => {
        order.push(`${name} in`);
        await new Promise((resolve) => setTimeout(resolve, 10));
        order.push(`${name} out`);
      });
    await Promise.all(["a", "b", "c", "d"].map(work));
    assert.equal(order.length, 8);
    for (let i = 0; i < order.length; i += 2) assert.equal(order[i + 1], order[i].replace(" in", " out"), order.join());
    await assert.rejects(withFileLock(lockPath, () => Promise.reject(new Error("boom"))), /boom/);
    assert.equal(await withFileLock(lockPath, () => Promise.resolve(7), { timeoutMs: 0 }), 7);
  } finally {
    await remove();
  }
});

test("acquireFileLock() gives up on a live owner with a message naming it and the path", async () => {
  const { dir, remove } = await tempDir();
  const owner = fsChild(["hold", path.join(dir, "b.lock")]);
  try {
    await owner.waitFor(/^locked$/, 30_000);
    const error = await acquireFileLock(path.join(dir, "b.lock"), { timeoutMs: 50 }).catch((e) => e);
    assert.ok(error instanceof FileLockTimeoutError);
    assert.equal(error.ownerPid, owner.process.pid);
    assert.match(
      error.message,
      new RegExp(`^Cannot lock ${dir}/b\\.lock: process ${owner.process.pid} still holds it`),
    );
    assert.match(error.message, /remove .*b\.lock$/);
  } finally {
    owner.kill("SIGKILL");
    await owner.exited;
    await remove();
  }
});

test("acquireFileLock() takes over the lock of a process killed with SIGKILL at once", async () => {
  const { dir, remove } = await tempDir();
  try {
    const lockPath = path.join(dir, "c.lock");
    await killedOwner(lockPath);
    const lock = await acquireFileLock(lockPath, { timeoutMs: 0 });
    await lock.release();
    // Old generations are cleaned: the directory holds the released one only.
    assert.deepEqual((await fs.readdir(lockPath)).filter((n) => !n.startsWith(".")).length, 1);
  } finally {
    await remove();
  }
});

test("processes waiting on a lock whose owner is killed never hold it together", async () => {
  const { dir, remove } = await tempDir();
  const lockPath = path.join(dir, "d.lock");
  const log = path.join(dir, "log");
  await fs.writeFile(log, "");
  const contenders = Array.from({ length: CONTENDERS }, () => fsChild(["contend", lockPath, log], "pipe"));
  try {
    await Promise.all(contenders.map((c) => c.waitFor(/^ready$/, 30_000)));
    for (let round = 1; round <= ROUNDS; round++) {
      // All contenders wait on a live owner, which is then killed: they find the same dead pid and race to take over.
      const owner = fsChild(["hold", lockPath]);
      await owner.waitFor(/^locked$/, 30_000);
      for (const c of contenders) c.process.stdin!.write(`go ${round}\n`);
      await new Promise((resolve) => setTimeout(resolve, 50));
      owner.kill("SIGKILL");
      await owner.exited;
      await Promise.all(contenders.map((c) => c.waitFor(new RegExp(`^done ${round}$`), 60_000)));
    }
    const lines = (await fs.readFile(log, "utf8")).trim().split("\n");
    assert.equal(lines.length, CONTENDERS * ROUNDS * 2);
    for (let i = 0; i < lines.length; i += 2) {
      const [pid, first] = lines[i].split(" ");
      assert.deepEqual([first, lines[i + 1]], ["in", `${pid} out`], `overlap at line ${i + 1}:\n${lines.join("\n")}`);
    }
  } finally {
    for (const c of contenders) c.process.stdin!.end();
    await Promise.all(contenders.map((c) => c.exited));
    await remove();
  }
});
