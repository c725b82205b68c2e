import assert from "node:assert/strict";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { bearer, type TestCentral, testCentral } from "./_central.ts";

const NDJSON = { "content-type": "application/x-ndjson" };
const today = () => new Date().toISOString().slice(0, 10);

async function rowsOf(central: TestCentral, gatewayId: string, signal: string) {
  const file = path.join(central.sinkDir, gatewayId, signal, `${today()}.jsonl`);
  const text = await readFile(file, "utf8").catch(() => "");
  return text.split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
}

async function registered(options: Parameters<typeof testCentral>[1] = {}) {
  const central = await testCentral({}, options);
  await central.register("gw-1");
  const auth = bearer(await central.jwt("gw-1"));
  const ingest = (signal: string, body: BodyInit | null, headers: Record<string, string> = {}) =>
    central.app.request(`/v1/ingest/${signal}`, { method: "POST", headers: { ...auth, ...NDJSON, ...headers }, body });
  return { central, auth, ingest };
}

test("POST /v1/ingest/<signal> writes stamped rows in the standalone layout and answers 202 {accepted}", async () => {
  const { central, ingest } = await registered();
  try {
    for (const signal of ["logs", "traces", "metrics", "proxy"]) {
      const response = await ingest(signal, `{"n":1,"signal":"${signal}"}\n\n{"n":2,"_ingest":"forged"}\n`, {
        "x-ctvs-batch-id": `2025-01-01T00-00-00-000Z-1-${signal}`,
      });
      assert.equal(response.status, 202);
      assert.deepEqual(await response.json(), { accepted: 2 });
      const rows = await rowsOf(central, "gw-1", signal);
      assert.deepEqual(rows.map((r) => r.n), [1, 2]);
      for (const [i, row] of rows.entries()) {
        assert.deepEqual(Object.keys(row._ingest), ["gateway_id", "received_at", "row_id"]);
        assert.equal(row._ingest.gateway_id, "gw-1");
        assert.ok(Math.abs(Date.parse(row._ingest.received_at) - Date.now()) < 60_000);
        assert.equal(row._ingest.row_id, `2025-01-01T00-00-00-000Z-1-${signal}:${i === 0 ? 1 : 3}`);
      }
    }
    const file = path.join(central.sinkDir, "gw-1", "logs", `${today()}.jsonl`);
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // The index lives in a dot-directory, which no reader takes for a gateway.
    assert.deepEqual((await readdir(central.sinkDir)).sort(), [".ingest-index", "gw-1"]);
  } finally {
    await central.close();
  }
});

test("a batch shipped again is not written again, also when only part of it was written before", async () => {
  const { central, ingest } = await registered();
  try {
    const batch = '{"n":1}\n{"n":2}\n{"n":3}\n';
    const id = { "x-ctvs-batch-id": "2025-06-01T10-00-00-000Z-7-1-ab" };
    assert.deepEqual(await (await ingest("logs", batch, id)).json(), { accepted: 3 });
    const again = await ingest("logs", batch, id);
    assert.equal(again.status, 202);
    assert.deepEqual(await again.json(), { accepted: 3, duplicates: 3 });
    assert.deepEqual((await rowsOf(central, "gw-1", "logs")).map((r) => r.n), [1, 2, 3]);

    // A first attempt that stopped at a bad line keeps lines 1-2; the fixed batch adds only what is missing.
    const other = { "x-ctvs-batch-id": "2025-06-01T10-00-01-000Z-7-2-ab" };
    const partial = await ingest("logs", '{"n":4}\n{"n":5}\nnot json\n', other);
    assert.equal(partial.status, 400);
    const body = await partial.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected_at_line, 3);
    assert.match(body.error, /^line 3 is not valid JSON/);
    const fixed = await ingest("logs", '{"n":4}\n{"n":5}\n{"n":6}\n', other);
    assert.deepEqual(await fixed.json(), { accepted: 3, duplicates: 2 });
    assert.deepEqual((await rowsOf(central, "gw-1", "logs")).map((r) => r.n), [1, 2, 3, 4, 5, 6]);

    // Without a batch id nothing can be recognised: at-least-once, as the original Central.
    await ingest("logs", '{"n":7}\n');
    await ingest("logs", '{"n":7}\n');
    assert.deepEqual((await rowsOf(central, "gw-1", "logs")).map((r) => r.n), [1, 2, 3, 4, 5, 6, 7, 7]);
  } finally {
    await central.close();
  }
});

test("a duplicate is recognised by a fresh process reading the same directory (a restart, or a replica)", async () => {
  const { central, ingest } = await registered();
  try {
    const id = { "x-ctvs-batch-id": "2025-06-01T10-00-00-000Z-9-1-cd" };
    await ingest("traces", '{"s":1}\n{"s":2}\n', id);
    const { IngestStore } = await import("../../../storage/ingest/ingest_store.ts");
    const second = new IngestStore(central.sinkDir);
    const text = [1, 2].map((line) => `{"s":${line},"_ingest":{"row_id":"2025-06-01T10-00-00-000Z-9-1-cd:${line}"}}\n`);
    const bytes = new TextEncoder().encode(text.join(""));
    const rows = {
      bytes: { bytes: (start = 0, end = bytes.length) => bytes.subarray(start, end) },
      lines: [1, 2],
      ends: [text[0].length, bytes.length],
    };
    const result = await second.write({
      gatewayId: "gw-1",
      signal: "traces",
      batchId: "2025-06-01T10-00-00-000Z-9-1-cd",
      rows,
      receivedAt: new Date(),
    });
    await second.close();
    assert.deepEqual(result, { written: 0, duplicates: 2 });
    assert.equal((await rowsOf(central, "gw-1", "traces")).length, 2);
  } finally {
    await central.close();
  }
});

test("ingest refuses unknown signals, missing or revoked identities, wrong types and oversized bodies", async () => {
  const { central, auth, ingest } = await registered();
  try {
    const unknown = await ingest("events", "{}\n");
    assert.equal(unknown.status, 404);
    assert.deepEqual(await unknown.json(), { error: "unknown signal" });

    const anonymous = await central.app.request("/v1/ingest/logs", { method: "POST", headers: NDJSON, body: "{}" });
    assert.equal(anonymous.status, 401);

    const type = await ingest("logs", "{}\n", { "content-type": "application/json" });
    assert.equal(type.status, 415);
    assert.deepEqual(await type.json(), { error: "expected application/x-ndjson or application/jsonl" });
    assert.equal((await ingest("logs", "{}\n", { "content-type": "application/jsonl" })).status, 202);

    const big = await ingest("logs", `{"x":"${"a".repeat(16 * 1024 * 1024)}"}\n`);
    assert.equal(big.status, 413);
    assert.deepEqual(await big.json(), { error: "body exceeds 16 MiB" });

    const badId = await ingest("logs", "{}\n", { "x-ctvs-batch-id": "../x" });
    assert.equal(badId.status, 400);

    const array = await ingest("logs", "[1,2]\n");
    assert.deepEqual(await array.json(), { accepted: 0, rejected_at_line: 1, error: "line 1 is not a JSON object" });

    const get = await central.app.request("/v1/ingest/logs", { headers: auth });
    assert.equal(get.status, 405);

    await central.context.registry.delete("gw-1");
    const revoked = await ingest("logs", "{}\n");
    assert.equal(revoked.status, 401);
    assert.deepEqual(await revoked.json(), { error: "unauthorized", reason: "no config registered for this gateway" });
  } finally {
    await central.close();
  }
});

test("a gzip-compressed batch is accepted; a truncated one is a 400", async () => {
  const { central, ingest } = await registered();
  try {
    const zipped = new Uint8Array(gzipSync('{"z":1}\n{"z":2}\n'));
    const ok = await ingest("metrics", zipped, { "content-encoding": "gzip" });
    assert.deepEqual(await ok.json(), { accepted: 2 });
    const cut = await ingest("metrics", zipped.subarray(0, zipped.length - 8), { "content-encoding": "gzip" });
    assert.equal(cut.status, 400);
    assert.equal((await rowsOf(central, "gw-1", "metrics")).length, 2);
  } finally {
    await central.close();
  }
});

/** A body that notes whether anyone started reading it. */
function watchedBody(text: string) {
  const state = { read: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.read = true;
      controller.enqueue(new TextEncoder().encode(text));
      controller.close();
    },
  }, { highWaterMark: 0 });
  return { body, state };
}

test("backpressure is decided before the body is read: 503 at capacity, 429 at the high-water mark", async () => {
  const { central, ingest } = await registered({
    ingest: { maxPendingRows: 10, highWaterPct: 50, retryAfterSeconds: 7 },
  });
  try {
    const holding = central.context.gate.admit("gw-x", "logs", 0);
    holding.rows(5);
    const high = watchedBody("{}\n");
    const busy = await ingest("logs", high.body, { "content-length": "3" });
    assert.equal(busy.status, 429);
    assert.equal(busy.headers.get("retry-after"), "7");
    assert.deepEqual(await busy.json(), { error: "ingest backpressure", retry_after_seconds: 7 });
    assert.equal(high.state.read, false);

    holding.rows(10);
    const full = watchedBody("{}\n");
    const capacity = await ingest("logs", full.body, { "content-length": "3" });
    assert.equal(capacity.status, 503);
    assert.equal(capacity.headers.get("retry-after"), "7");
    assert.deepEqual(await capacity.json(), { error: "ingest at capacity", retry_after_seconds: 7 });
    assert.equal(full.state.read, false);
    assert.ok(
      central.logs.some((l) => l.startsWith("[ingest] backpressure kind=capacity gateway_id=gw-1 signal=logs")),
    );

    holding.release();
    assert.equal((await ingest("logs", "{}\n")).status, 202);
    assert.equal(central.context.gate.pendingRows, 0);
  } finally {
    await central.close();
  }
});

test("the disk-rate bucket answers 429 ingest disk-rate throttled once a second's bytes are spent", async () => {
  const { central, ingest } = await registered({ ingest: { maxBytesPerSecond: 100 } });
  try {
    const row = `{"p":"${"x".repeat(150)}"}\n`;
    assert.equal((await ingest("logs", row)).status, 202);
    const watched = watchedBody(row);
    const throttled = await ingest("logs", watched.body);
    assert.equal(throttled.status, 429);
    assert.equal(throttled.headers.get("retry-after"), "5");
    assert.deepEqual(await throttled.json(), { error: "ingest disk-rate throttled", retry_after_seconds: 5 });
    assert.equal(watched.state.read, false);
  } finally {
    await central.close();
  }
});

test("a write Central cannot do answers 500 ingest write failed, and a later batch goes through", async () => {
  const { central, ingest } = await registered();
  try {
    // A file where the gateway's logs folder must be: every write of it fails (as root, permissions would not).
    const { mkdir, writeFile, rm } = await import("node:fs/promises");
    await mkdir(path.join(central.sinkDir, "gw-1"), { recursive: true });
    await writeFile(path.join(central.sinkDir, "gw-1", "logs"), "not a folder");
    const failed = await ingest("logs", '{"n":1}\n', { "x-ctvs-batch-id": "2025-06-01T10-00-00-000Z-1-1-ee" });
    assert.equal(failed.status, 500);
    assert.match(
      (await failed.json()).error,
      /^ingest write failed: Cannot write .*gw-1\/logs\/\d{4}-\d\d-\d\d\.jsonl: /,
    );
    await rm(path.join(central.sinkDir, "gw-1", "logs"));
    const again = await ingest("logs", '{"n":1}\n', { "x-ctvs-batch-id": "2025-06-01T10-00-00-000Z-1-1-ee" });
    assert.deepEqual(await again.json(), { accepted: 1 });
    assert.deepEqual((await rowsOf(central, "gw-1", "logs")).map((r) => r.n), [1]);
  } finally {
    await central.close();
  }
});
