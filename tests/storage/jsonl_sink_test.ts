import assert from "node:assert/strict";
import { chmod, mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import { exposedEntries } from "../helpers/modes.ts";
import { isRoot, recordingOpener, withTempDir } from "./_helpers.ts";

const NOON = () => new Date("2025-03-01T12:00:00Z");

/** Varied payloads: ASCII, multi-byte, JSON-escaped characters, and rows of several KB. */
function payload(i: number): string {
  const kinds = [
    "plain ascii",
    "naïve café 🙂 漢字 ñ",
    'quotes " and \\ backslash, a newline\n, a tab\t, a line separator \u2028',
    "k".repeat(3000 + (i % 7) * 500),
    "🙂".repeat(1500),
  ];
  return kinds[i % kinds.length];
}

async function readLines(file: string): Promise<string[]> {
  const text = await readFile(file, "utf8");
  assert.ok(text.endsWith("\n"), "the file ends with a whole line");
  return text.slice(0, -1).split("\n");
}

test("JsonlSink writes to <dir>/<gatewayId>/<signal>/<UTC date>.jsonl, nested signals included", async () => {
  await withTempDir(async (dir) => {
    const sink = new JsonlSink({ dir, gatewayId: "alice", now: () => new Date("2025-03-01T23:30:00-02:00") });
    assert.equal(sink.pathFor("raw/traces"), path.join(dir, "alice", "raw", "traces", "2025-03-02.jsonl"));
    assert.equal(
      sink.pathFor("logs", new Date("2024-02-29T00:00:00Z")),
      path.join(dir, "alice", "logs", "2024-02-29.jsonl"),
    );
    await sink.append("raw/traces", [{ a: 1 }]);
    await sink.append("proxy", [{ b: 2 }, { c: 3 }]);
    await sink.appendLines("proxy", ['{"d":4}']);
    await sink.close();
    assert.equal(await readFile(sink.pathFor("raw/traces"), "utf8"), '{"a":1}\n');
    assert.equal(await readFile(sink.pathFor("proxy"), "utf8"), '{"b":2}\n{"c":3}\n{"d":4}\n');
  });
});

test("JsonlSink creates its directories 0700 and its day files 0600: recordings hold prompts", async () => {
  await withTempDir(async (parent) => {
    const dir = path.join(parent, "not", "yet", "there");
    const sink = new JsonlSink({ dir, gatewayId: "alice", now: NOON });
    await sink.checkWritable();
    await sink.append("logs", [{ a: 1 }]);
    await sink.append("raw/traces", [{ b: 2 }]);
    await sink.close();
    assert.deepEqual(await exposedEntries(parent), []);
    assert.deepEqual((await readdir(path.join(dir, "alice"))).sort(), ["logs", "raw"]);
  });
});

test("JsonlSink keeps 1,000 concurrent appends whole, exactly once, contiguous and in submission order", async () => {
  await withTempDir(async (dir) => {
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON });
    const appends: Promise<void>[] = [];
    let expectedRows = 0;
    for (let i = 0; i < 1000; i++) {
      const parts = i % 3 === 0 ? 2 + (i % 5) : 1;
      expectedRows += parts;
      const rows = Array.from({ length: parts }, (_, part) => ({ i, part, parts, text: payload(i + part) }));
      const lines = rows.map((row) => JSON.stringify(row));
      // Rows, lines and encoded bytes, mixed in the same batches.
      const bytes = () => new TextEncoder().encode(lines.join("\n") + "\n");
      appends.push(
        i % 5 < 2
          ? sink.append("logs", rows)
          : i % 5 < 4
          ? sink.appendLines("logs", lines)
          : sink.appendBytes("logs", bytes()),
      );
    }
    await Promise.all(appends);
    await sink.close();

    const lines = await readLines(sink.pathFor("logs"));
    assert.equal(lines.length, expectedRows);
    const rows = lines.map((line) => JSON.parse(line));
    let at = 0;
    for (let i = 0; i < 1000; i++) {
      const parts = rows[at].parts;
      for (let part = 0; part < parts; part++) {
        const row = rows[at++];
        assert.equal(row.i, i, "appends are in submission order and each append's rows are contiguous");
        assert.equal(row.part, part);
        assert.equal(row.text, payload(i + part), "the payload survives byte for byte");
      }
    }
    assert.equal(at, rows.length);
  });
});

test("JsonlSink group-commits: concurrent appends share write calls", async () => {
  await withTempDir(async (dir) => {
    // 1,000 appends submitted together: one write (plus the batch limit for big payloads), not 1,000.
    const together = recordingOpener();
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON, openFile: together.openFile });
    await Promise.all(Array.from({ length: 1000 }, (_, i) => sink.append("logs", [{ i }])));
    assert.equal(together.recording.writes, 1);

    // 50 writers appending 10 times each, on a disk slow enough that they pile up behind the write in flight:
    // each round of 50 shares one write, so about 10 writes instead of 500.
    const slow = recordingOpener({ delayMs: 10 });
    const slowSink = new JsonlSink({ dir, gatewayId: "slow", now: NOON, openFile: slow.openFile });
    await Promise.all(Array.from({ length: 50 }, async (_, writer) => {
      for (let n = 0; n < 10; n++) await slowSink.append("logs", [{ writer, n }]);
    }));
    assert.ok(slow.recording.writes <= 25, `50 writers x 10 appends took ${slow.recording.writes} writes`);
    await Promise.all([sink.close(), slowSink.close()]);
    assert.equal((await readLines(slowSink.pathFor("logs"))).length, 500);
  });
});

test("JsonlSink rotates at UTC midnight: the next append goes to the new day, the old file is fsynced and closed", async () => {
  await withTempDir(async (dir) => {
    let clock = new Date("2025-03-01T23:59:59.990Z");
    const { openFile, recording } = recordingOpener();
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: () => clock, openFile });
    const day1 = sink.pathFor("logs");
    await sink.append("logs", [{ n: 1 }]);
    const racing = sink.append("logs", [{ n: 2 }]); // queued before midnight: stays in day 1
    clock = new Date("2025-03-02T00:00:00.001Z");
    const day2 = sink.pathFor("logs");
    await Promise.all([racing, sink.append("logs", [{ n: 3 }]), sink.append("traces", [{ n: 4 }])]);
    await sink.flush();
    assert.deepEqual(recording.closed, [day1], "the day-1 file is closed after the rotation");
    assert.equal(recording.syncs, 1, "and fsynced before");
    assert.equal(await readFile(day1, "utf8"), '{"n":1}\n{"n":2}\n');
    assert.equal(await readFile(day2, "utf8"), '{"n":3}\n');
    assert.equal(path.basename(day2), "2025-03-02.jsonl");
    await sink.close();
    assert.deepEqual(await readdir(path.join(dir, "gw", "logs")), ["2025-03-01.jsonl", "2025-03-02.jsonl"]);
  });
});

test('JsonlSink with fsync "always" datasyncs each batch before resolving', async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener();
    const sink = new JsonlSink({ dir, gatewayId: "gw", fsync: "always", now: NOON, openFile });
    await sink.append("logs", [{ n: 1 }]);
    assert.equal(recording.datasyncs, 1);
    await Promise.all(Array.from({ length: 100 }, (_, n) => sink.append("logs", [{ n }])));
    assert.equal(recording.datasyncs, 2, "one fsync for the whole batch");
    await sink.close();
    assert.equal((await readLines(sink.pathFor("logs"))).length, 101);
  });
});

test("JsonlSink.close() flushes, is idempotent, and appends after it reject", async () => {
  await withTempDir(async (dir) => {
    const { openFile, recording } = recordingOpener();
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON, openFile });
    const pending = sink.append("logs", [{ n: 1 }]);
    const closing = sink.close();
    assert.equal(sink.close(), closing);
    await closing;
    await pending;
    await sink.close();
    assert.equal(recording.syncs, 1);
    assert.equal(recording.closed.length, 1);
    await assert.rejects(sink.append("logs", [{ n: 2 }]), { message: "Cannot append to logs: the sink is closed" });
    await assert.rejects(sink.appendLines("logs", ["{}"]), { message: "Cannot append to logs: the sink is closed" });
    assert.equal(await readFile(sink.pathFor("logs"), "utf8"), '{"n":1}\n');
  });
});

test("JsonlSink.flush() waits for everything queued", async () => {
  await withTempDir(async (dir) => {
    const { openFile } = recordingOpener({ delayMs: 5 });
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON, openFile });
    for (let n = 0; n < 20; n++) void sink.append(n % 2 ? "logs" : "traces", [{ n }]);
    await sink.flush();
    assert.equal((await readLines(sink.pathFor("logs"))).length, 10);
    assert.equal((await readLines(sink.pathFor("traces"))).length, 10);
    await sink.close();
  });
});

test("JsonlSink rejects bad input with a clear error and writes nothing of it", async () => {
  await withTempDir(async (dir) => {
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON });
    await assert.rejects(sink.appendLines("logs", ['{"a":1}', '{"b":\n2}']), {
      name: "TypeError",
      message: "Cannot append line 1 to logs: it contains a newline",
    });
    await assert.rejects(sink.appendBytes("logs", new TextEncoder().encode('{"a":1}\n{"b":2}')), {
      name: "TypeError",
      message: "Cannot append bytes to logs: they do not end with a newline",
    });
    await assert.rejects(sink.append("logs", [{ ok: 1 }, { n: 1n }]), {
      name: "TypeError",
      message: "Cannot append row 1 to logs: Do not know how to serialize a BigInt",
    });
    await assert.rejects(sink.append("logs", [undefined]), {
      name: "TypeError",
      message: "Cannot append row 0 to logs: it has no JSON form",
    });
    for (const signal of ["../escape", "a//b", "/abs", "a/./b", "", "a\\b"]) {
      await assert.rejects(sink.append(signal, [{}]), {
        name: "TypeError",
        message: `Cannot use signal "${signal}": it must be "/"-separated names of letters, digits, "_-."`,
      });
    }
    assert.throws(() => new JsonlSink({ dir, gatewayId: "../x" }), {
      name: "TypeError",
      message: 'Cannot use gateway id "../x": it must match ^[a-zA-Z0-9][a-zA-Z0-9._+@-]*$',
    });
    await sink.append("logs", []);
    await sink.close();
    assert.deepEqual(await readdir(dir), []);
  });
});

/**
 * Makes `<tmp>/sink` unwritable and returns it with the reason the sink must give. As root, permission bits are
 * ignored, so a chmod proves nothing: the sink directory is then put under a regular file (ENOTDIR) instead.
 */
async function unwritableSinkDir(tmp: string): Promise<{ dir: string; reason: string; repair: () => Promise<void> }> {
  if (isRoot) {
    const blocker = path.join(tmp, "blocker");
    await writeFile(blocker, "a regular file, not a directory");
    const repair = async () => {
      await rm(blocker);
      await mkdir(blocker);
    };
    return { dir: path.join(blocker, "sink"), reason: "a parent path is not a directory", repair };
  }
  const dir = path.join(tmp, "sink");
  await mkdir(dir);
  await chmod(dir, 0o500);
  return { dir, reason: "permission denied", repair: () => chmod(dir, 0o700) };
}

test("JsonlSink rejects appends to an unwritable directory with a clear error, then recovers", async () => {
  await withTempDir(async (tmp) => {
    const { dir, reason, repair } = await unwritableSinkDir(tmp);
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON });
    const file = sink.pathFor("logs");
    const results = await Promise.allSettled([sink.append("logs", [{ n: 1 }]), sink.append("logs", [{ n: 2 }])]);
    for (const result of results) {
      assert.equal(result.status, "rejected", "the failure is real, even as root");
      assert.equal(result.reason.message, `Cannot write ${file}: ${reason}`);
      assert.equal(result.reason.name, "SinkWriteError");
    }
    await repair();
    await sink.append("logs", [{ n: 3 }]);
    await sink.close();
    assert.equal(await readFile(file, "utf8"), '{"n":3}\n');
  });
});

test("JsonlSink keeps writing other files while one fails, and that one recovers", async () => {
  await withTempDir(async (dir) => {
    const sink = new JsonlSink({ dir, gatewayId: "gw", now: NOON });
    const blocked = path.join(dir, "gw", "logs");
    await mkdir(path.dirname(blocked), { recursive: true });
    await writeFile(blocked, "not a directory"); // fails even as root
    await assert.rejects(sink.append("logs", [{ n: 1 }]), {
      message: `Cannot write ${sink.pathFor("logs")}: a parent path is not a directory`,
    });
    await sink.append("traces", [{ n: 2 }]);
    await rm(blocked);
    await sink.append("logs", [{ n: 3 }]);
    await sink.close();
    assert.equal(await readFile(sink.pathFor("traces"), "utf8"), '{"n":2}\n');
    assert.equal(await readFile(sink.pathFor("logs"), "utf8"), '{"n":3}\n');
  });
});

test("JsonlSink.checkWritable() creates the gateway directory, leaves nothing behind, and throws a clear error", async () => {
  await withTempDir(async (tmp) => {
    const good = new JsonlSink({ dir: path.join(tmp, "fresh"), gatewayId: "gw" });
    await good.checkWritable();
    assert.deepEqual(await readdir(path.join(tmp, "fresh", "gw")), []);

    const { dir, reason } = await unwritableSinkDir(tmp);
    const bad = new JsonlSink({ dir, gatewayId: "gw" });
    await assert.rejects(bad.checkWritable(), { message: `Cannot write to sink directory ${dir}: ${reason}` });
  });
});
