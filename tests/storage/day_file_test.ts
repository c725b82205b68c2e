import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, readFile, symlink, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { DayFile } from "../../storage/day_file.ts";
import { recordingOpener, systemError, withTempDir } from "./_helpers.ts";

test("DayFile.write() creates missing directories and appends in submission order", async () => {
  await withTempDir(async (dir) => {
    const file = new DayFile(path.join(dir, "a", "b", "c.jsonl"));
    await Promise.all(Array.from({ length: 20 }, (_, i) => file.write(`${i}\n`)));
    await file.write("20\n");
    await file.close();
    const expected = Array.from({ length: 21 }, (_, i) => `${i}\n`).join("");
    assert.equal(await readFile(file.path, "utf8"), expected);
  });
});

/** A `hold` for `recordingOpener` that keeps the first write waiting until `release()`; `started` when it began. */
function firstWriteHeld() {
  let started!: () => void;
  let release!: () => void;
  const begun = new Promise<void>((resolve) => started = resolve);
  const released = new Promise<void>((resolve) => release = resolve);
  return {
    started: begun,
    release,
    hold: (call: number) => {
      if (call !== 1) return undefined;
      started();
      return released;
    },
  };
}

test("DayFile groups writes queued during a write into one write call", async () => {
  await withTempDir(async (dir) => {
    const first = firstWriteHeld();
    const { openFile, recording } = recordingOpener({ hold: first.hold });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    const written = file.write("first\n");
    // Queued while the first write is in flight: all 100 must share the second write.
    await first.started;
    const queued = Array.from({ length: 100 }, (_, i) => file.write(`${i}\n`));
    first.release();
    await Promise.all([written, ...queued]);
    assert.equal(recording.writes, 2);
    await file.close();
    const lines = (await readFile(file.path, "utf8")).split("\n");
    assert.equal(lines.length, 102);
  });
});

test("DayFile splits a long queue into batches of about maxBatchBytes", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener();
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile, maxBatchBytes: 1000 });
    const line = "x".repeat(99) + "\n";
    await Promise.all(Array.from({ length: 50 }, () => file.write(line)));
    assert.equal(recording.writes, 5);
    await file.write("y".repeat(5000) + "\n"); // larger than a batch: goes alone, whole
    await file.close();
    assert.equal((await readFile(file.path, "utf8")).length, 50 * 100 + 5001);
  });
});

test("DayFile finishes short writes by looping until every byte is written", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener({ maxWriteBytes: 7 });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    const text = '{"emoji":"🙂🙂","cjk":"漢字"}\n'.repeat(10);
    await file.write(text);
    await file.close();
    assert.equal(await readFile(file.path, "utf8"), text);
    assert.equal(recording.writes, Math.ceil(new TextEncoder().encode(text).length / 7));
  });
});

test("DayFile syncs each batch with syncEachBatch, and always on close", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener();
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile, syncEachBatch: true });
    await file.write("1\n");
    await Promise.all([file.write("2\n"), file.write("3\n")]);
    assert.equal(recording.datasyncs, 2);
    await file.close();
    assert.equal(recording.syncs, 1);
    assert.deepEqual(recording.closed, [file.path]);

    const lazy = recordingOpener();
    const other = new DayFile(path.join(dir, "g.jsonl"), { openFile: lazy.openFile });
    await other.write("1\n");
    assert.equal(lazy.recording.datasyncs, 0);
    await other.close();
    assert.equal(lazy.recording.syncs, 1);
  });
});

test("DayFile.close() is idempotent and later writes reject", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener();
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    const pending = file.write("1\n");
    await Promise.all([file.close(), file.close()]);
    await pending;
    await file.close();
    assert.equal(recording.closed.length, 1);
    await assert.rejects(file.write("2\n"), { message: `Cannot write ${file.path}: the file is closed` });
    assert.equal(await readFile(file.path, "utf8"), "1\n");
  });
});

test("DayFile starts on a new line when the file ends in a torn line", async () => {
  await withTempDir(async (dir) => {
    const target = path.join(dir, "f.jsonl");
    await writeFile(target, '{"a":1}\n{"torn');
    const file = new DayFile(target);
    await file.write('{"b":2}\n');
    await file.write('{"c":3}\n');
    await file.close();
    assert.equal(await readFile(target, "utf8"), '{"a":1}\n{"torn\n{"b":2}\n{"c":3}\n');
  });
});

test("DayFile writes byte texts as they are, in order with string texts, a run of strings in one write call", async () => {
  await withTempDir(async (dir) => {
    const first = firstWriteHeld();
    const { openFile, recording } = recordingOpener({ hold: first.hold });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    const bytes = (text: string) => new TextEncoder().encode(text);
    const written = file.write(bytes("é-first\n"));
    await first.started;
    // One batch: the two strings go in one write, each byte text in its own.
    const queued = [file.write("a\n"), file.write("b\n"), file.write(bytes("ü-c\n")), file.write("d\n")];
    first.release();
    await Promise.all([written, ...queued]);
    assert.equal(recording.writes, 4);
    await file.close();
    assert.equal(await readFile(file.path, "utf8"), "é-first\na\nb\nü-c\nd\n");
  });
});

test("DayFile removes every byte of a failed batch that mixes strings and byte texts", async () => {
  await withTempDir(async (dir) => {
    const { openFile } = recordingOpener({
      failWrite: (call) => call === 4 ? systemError("EIO", "i/o error, write") : undefined,
    });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    await file.write("before\n"); // call 1
    // One batch of three writes: calls 2 and 3 land, call 4 fails; all of it must go.
    const batch = [file.write("one\n"), file.write(new TextEncoder().encode("two\n")), file.write("three\n")];
    const results = await Promise.allSettled(batch);
    assert.deepEqual(results.map((r) => r.status), ["rejected", "rejected", "rejected"]);
    assert.equal(await readFile(file.path, "utf8"), "before\n");
    await file.close();
  });
});

test("DayFile rejects every write of a batch that fails after a short write, and removes its bytes", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener({
      maxWriteBytes: 8,
      failWrite: (call) => call === 3 ? systemError("EIO", "i/o error, write") : undefined,
    });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    await file.write("before\n"); // call 1
    const batch = [file.write("one-one-one\n"), file.write("two-two-two\n")]; // call 2 writes 8 bytes, call 3 fails
    for (const result of await Promise.allSettled(batch)) {
      assert.equal(result.status, "rejected");
      assert.equal(result.reason.message, `Cannot write ${file.path}: input/output error`);
    }
    assert.equal(recording.writes, 3);
    assert.equal(await readFile(file.path, "utf8"), "before\n");
    await file.write("after\n");
    await file.close();
    assert.equal(await readFile(file.path, "utf8"), "before\nafter\n");
  });
});

test("DayFile rejects every write of a failed batch and removes its partial bytes", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener({
      failWrite: (call) => call === 2 ? systemError("ENOSPC", "no space left on device, write") : undefined,
      partialBytes: 10,
    });
    const file = new DayFile(path.join(dir, "f.jsonl"), { openFile });
    await file.write("before\n");
    const batch = [file.write("one-one-one\n"), file.write("two-two-two\n")];
    const results = await Promise.allSettled(batch);
    for (const result of results) {
      assert.equal(result.status, "rejected");
      assert.equal(result.reason.message, `Cannot write ${file.path}: no space left on device`);
      assert.equal(result.reason.code, "ENOSPC");
    }
    // Nothing of the failed batch stays behind, and the file works again (reopened).
    assert.equal(await readFile(file.path, "utf8"), "before\n");
    await file.write("after\n");
    await file.close();
    assert.equal(await readFile(file.path, "utf8"), "before\nafter\n");
    assert.equal(recording.opened.length, 2);
  });
});

test(
  "DayFile reports a full disk (ENOSPC) and recovers once it clears",
  { skip: !existsSync("/dev/full") },
  async () => {
    await withTempDir(async (dir) => {
      const target = path.join(dir, "logs", "f.jsonl");
      await mkdir(path.dirname(target));
      await symlink("/dev/full", target); // every write to /dev/full fails with ENOSPC
      const file = new DayFile(target);
      await assert.rejects(file.write("1\n"), { message: `Cannot write ${target}: no space left on device` });
      await assert.rejects(file.write("2\n"), { message: `Cannot write ${target}: no space left on device` });
      await unlink(target);
      await file.write("3\n");
      await file.close();
      assert.equal(await readFile(target, "utf8"), "3\n");
    });
  },
);
