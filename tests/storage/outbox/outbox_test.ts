import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { Outbox, outboxStats } from "../../../storage/outbox/outbox.ts";
import { MAX_FILE_BYTES } from "../../../storage/outbox/outbox_writer.ts";
import { recordingOpener, systemError, withTempDir } from "../_helpers.ts";

const line = (n: number) => `{"n":${n}}`;
const files = async (dir: string) => (await readdir(dir)).filter((n) => n !== "failed").sort();
const states = (names: string[]) => names.map((n) => n.split(".").pop());

/** `promise`, or a rejection naming `what` after `ms`. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

test("Outbox: an append resolves after its rows are fsync'd; appends together share one write and one fdatasync", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener({ delayMs: 20 });
    const outbox = await Outbox.open(dir, { openFile });
    const appends = Array.from({ length: 20 }, (_, i) => outbox.appendLines("logs", [line(i)]));
    await Promise.all(appends);
    // The first append opens the file and goes alone; the 19 that queued behind the slow write go together.
    assert.ok(recording.writes <= 3, `writes: ${recording.writes}`);
    assert.equal(recording.datasyncs, recording.writes);
    // Bytes (the OTLP receiver's rows) are written as they are, but still share the fdatasync.
    const before = recording.datasyncs;
    const encoded = Array.from({ length: 20 }, (_, i) => new TextEncoder().encode(`${line(i)}\n`));
    await Promise.all(encoded.map((bytes) => outbox.appendBytes("logs", bytes)));
    assert.ok(recording.datasyncs - before <= 3, `datasyncs: ${recording.datasyncs - before}`);
    const [open] = await files(path.join(dir, "logs"));
    assert.match(open, /\.open$/);
    const text = await readFile(path.join(dir, "logs", open), "utf8");
    assert.equal(text.split("\n").filter(Boolean).length, 40);
    await outbox.close();
  });
});

test("Outbox: a batch is ready at 1000 rows, at 1 MiB, or 5 s after its first row (here scaled down)", async () => {
  // A batch is made ready (fsync'd and renamed) in the background: each step waits for that, not for a time.
  await withTempDir(async (dir) => {
    // Rows and bytes, with the age limit out of the way.
    const outbox = await Outbox.open(dir, { limits: { maxRows: 3, maxBytes: 100, maxAgeMs: 10 * 60_000 } });
    const logs = path.join(dir, "logs");
    // Rotation by rows: the third row makes the first file ready; the fourth opens the second.
    const byRows = outbox.waitForReady("logs");
    await outbox.appendLines("logs", [line(1), line(2), line(3)]);
    await byRows;
    await outbox.appendLines("logs", [line(4)]);
    assert.deepEqual(states(await files(logs)), ["ndjson", "open"]);
    for (const name of await files(logs)) assert.equal((await stat(path.join(logs, name))).mode & 0o777, 0o600);
    assert.equal((await stat(logs)).mode & 0o777, 0o700);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
    // By bytes: a row that would pass 100 bytes starts a new file.
    const byBytes = outbox.waitForReady("metrics");
    await outbox.appendLines("metrics", [`{"p":"${"x".repeat(60)}"}`]);
    await outbox.appendLines("metrics", [`{"p":"${"y".repeat(60)}"}`]);
    await byBytes;
    assert.deepEqual(states(await files(path.join(dir, "metrics"))), ["ndjson", "open"]);
    await outbox.close();
    // close() makes the open batches ready.
    assert.deepEqual(states(await files(path.join(dir, "metrics"))), ["ndjson", "ndjson"]);
    assert.deepEqual(states(await files(logs)), ["ndjson", "ndjson"]);
  });
  await withTempDir(async (dir) => {
    // By age: a lone row's batch is ready 150 ms after it came, never sooner.
    const outbox = await Outbox.open(dir, { limits: { maxRows: 3, maxBytes: 100, maxAgeMs: 150 } });
    const byAge = outbox.waitForReady("logs");
    const appended = performance.now();
    await outbox.appendLines("logs", [line(1)]);
    // The age timer does not hold the process open (a gateway's exit does not wait for it): this deadline does.
    await within(byAge, 10_000, "the batch made ready by age");
    const waited = performance.now() - appended;
    assert.ok(waited >= 145, `ready after ${waited} ms`);
    assert.deepEqual(states(await files(path.join(dir, "logs"))), ["ndjson"]);
    await outbox.close();
  });
});

test("Outbox: claim renames the oldest ready batch to .sending; done, release and poison", async () => {
  await withTempDir(async (dir) => {
    const outbox = await Outbox.open(dir, { limits: { maxRows: 1 } });
    for (let i = 1; i <= 3; i++) await outbox.appendLines("traces", [line(i)]);
    await outbox.flush();
    const first = (await outbox.claim("traces"))!;
    assert.match(first.path, /\.sending$/);
    assert.equal(await outbox.read(first), `${line(1)}\n`);
    const second = (await outbox.claim("traces"))!;
    assert.equal(await outbox.read(second), `${line(2)}\n`);
    await outbox.release(second);
    await outbox.done(first);
    const again = (await outbox.claim("traces"))!;
    assert.equal(await outbox.read(again), `${line(2)}\n`);
    const moved = await outbox.poison(again);
    assert.equal(moved, path.join(dir, "traces", "failed", `${again.id}.ndjson`));
    const stats = await outbox.stats();
    assert.deepEqual(stats.traces, { batches: 1, bytes: line(3).length + 1, failed: 1 });
    assert.deepEqual(stats.logs, { batches: 0, bytes: 0, failed: 0 });
    assert.deepEqual(await outboxStats(dir), stats);
    await outbox.close();
  });
});

test("Outbox: waitForReady wakes the sender when a batch becomes ready", async () => {
  await withTempDir(async (dir) => {
    const outbox = await Outbox.open(dir, { limits: { maxRows: 2 } });
    let woken = false;
    const waiting = outbox.waitForReady("proxy").then(() => woken = true);
    await outbox.appendLines("proxy", [line(1)]);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(woken, false);
    await outbox.appendLines("proxy", [line(2)]);
    await waiting;
    assert.ok(await outbox.claim("proxy"));
    await outbox.close();
  });
});

test("Outbox.open() recovers a crash: .sending and .open become ready, a torn last line is cut, empty files go", async () => {
  await withTempDir(async (dir) => {
    const logs = path.join(dir, "logs");
    await mkdir(logs, { recursive: true });
    await writeFile(path.join(logs, "2025-01-01T00-00-00-000Z-1-1-aaaaaa.sending"), `${line(1)}\n`);
    await writeFile(path.join(logs, "2025-01-01T00-00-01-000Z-1-2-aaaaaa.open"), `${line(2)}\n${line(3)}\n{"n":4`);
    await writeFile(path.join(logs, "2025-01-01T00-00-02-000Z-1-3-aaaaaa.open"), '{"torn only"');
    await writeFile(path.join(logs, "2025-01-01T00-00-03-000Z-1-4-aaaaaa.ndjson"), `${line(5)}\n`);
    await writeFile(path.join(logs, "README"), "not a batch");
    const outbox = await Outbox.open(dir);
    assert.equal(outbox.recovered, 3);
    assert.deepEqual(await files(logs), [
      "2025-01-01T00-00-00-000Z-1-1-aaaaaa.ndjson",
      "2025-01-01T00-00-01-000Z-1-2-aaaaaa.ndjson",
      "2025-01-01T00-00-03-000Z-1-4-aaaaaa.ndjson",
      "README",
    ]);
    assert.equal(
      await readFile(path.join(logs, "2025-01-01T00-00-01-000Z-1-2-aaaaaa.ndjson"), "utf8"),
      `${line(2)}\n${line(3)}\n`,
    );
    const texts = [];
    for (let claim = await outbox.claim("logs"); claim; claim = await outbox.claim("logs")) {
      texts.push(await outbox.read(claim));
      await outbox.done(claim);
    }
    assert.deepEqual(texts, [`${line(1)}\n`, `${line(2)}\n${line(3)}\n`, `${line(5)}\n`]);
    await outbox.close();
  });
});

test("Outbox.open() refuses an outbox another live process owns", async () => {
  await withTempDir(async (dir) => {
    const other = spawn("sleep", ["10"]);
    try {
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, "owner.pid"), `${other.pid}\n`);
      await assert.rejects(Outbox.open(dir), {
        message: `Cannot open the outbox ${dir}: another gateway (pid ${other.pid}) uses it; ` +
          "give each gateway its own central_server.outbox_dir",
      });
    } finally {
      other.kill();
    }
    await new Promise((resolve) => other.once("exit", resolve));
    // Its owner is gone: the next open takes over.
    await (await Outbox.open(dir)).close();
  });
});

test("Outbox: a failed write (full disk) rejects that append and keeps what was acknowledged", async () => {
  await withTempDir(async (dir) => {
    let fail = false;
    const { openFile } = recordingOpener({ failWrite: () => fail ? systemError("ENOSPC", "no space") : undefined });
    const outbox = await Outbox.open(dir, { openFile });
    await outbox.appendLines("logs", [line(1)]);
    fail = true;
    await assert.rejects(outbox.appendLines("logs", [line(2)]), { message: /no space left on device/ });
    fail = false;
    await outbox.appendLines("logs", [line(3)]);
    await outbox.close();
    const claim = (await outbox.claim("logs"))!;
    assert.equal(await outbox.read(claim), `${line(1)}\n${line(3)}\n`);
  });
});

test("Outbox: an append larger than 8 MiB is split at line ends over files Central can take", async () => {
  await withTempDir(async (dir) => {
    const outbox = await Outbox.open(dir);
    const row = `{"p":"${"x".repeat(1000)}"}`;
    const lines = Array.from({ length: Math.ceil(MAX_FILE_BYTES * 2.5 / row.length) }, () => row);
    await outbox.appendLines("logs", lines);
    await outbox.close();
    const sizes = [];
    for (const name of await files(path.join(dir, "logs"))) sizes.push((await stat(path.join(dir, "logs", name))).size);
    assert.equal(sizes.length, 3);
    assert.ok(sizes.every((s) => s <= MAX_FILE_BYTES && s % (row.length + 1) === 0), String(sizes));
    assert.equal(sizes.reduce((a, b) => a + b), lines.length * (row.length + 1));
  });
});

test("Outbox refuses signals a gateway does not ship, and appends after close", async () => {
  await withTempDir(async (dir) => {
    const outbox = await Outbox.open(dir);
    await assert.rejects(outbox.appendLines("raw/logs", [line(1)]), TypeError);
    await outbox.close();
    await assert.rejects(outbox.appendLines("logs", [line(1)]), /closed/);
  });
});
