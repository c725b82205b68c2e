/**
 * The receiver over a real socket: routes, statuses, encodings of the answers, compression, and what lands in the
 * files for each accepted request (rows and the raw envelope) and for each refused one (nothing).
 */
import assert from "node:assert/strict";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { deflateRawSync, deflateSync, gzipSync } from "node:zlib";
import { fromBinary } from "@bufbuild/protobuf";
import { StatusSchema } from "../../../server/otlp/gen/google/rpc/status_pb.ts";
import { LOG_FORMS, LOG_ROWS, SPAN_ROWS, TRACE_FORMS, withNumericInts } from "./_fixtures.ts";
import { METRIC_FORMS, METRIC_ROWS } from "./_metric_fixtures.ts";
import { startReceiver, type TestReceiver } from "./_receiver.ts";

const JSON_TYPE = { "content-type": "application/json" };
const PROTO_TYPE = { "content-type": "application/x-protobuf" };
/** A Node Buffer as a plain Uint8Array (what fetch takes as a body). */
const u8 = (bytes: Uint8Array) => new Uint8Array(bytes);

async function send(url: string, init: RequestInit & { headers?: Record<string, string> }) {
  const response = await fetch(url, init);
  const body = new Uint8Array(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body, text: new TextDecoder().decode(body) };
}

async function withReceiver(fn: (r: TestReceiver) => Promise<void>, options = {}) {
  const receiver = await startReceiver(options);
  try {
    await fn(receiver);
  } finally {
    await receiver.close();
  }
}

test("GET / answers the banner; other paths 404, other methods 405 with Allow, in JSON", async () => {
  await withReceiver(async (r) => {
    const banner = await send(`${r.url}/`, {});
    assert.equal(banner.status, 200);
    assert.match(banner.text, /collectivus .*OTLP collector/);
    const missing = await send(`${r.url}/v1/spans`, { method: "POST", headers: JSON_TYPE, body: "{}" });
    assert.equal(missing.status, 404);
    assert.equal(missing.text, '{"code":5,"message":"Not found"}');
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      const wrong = await send(`${r.url}/v1/traces`, { method });
      assert.equal(wrong.status, 405, method);
      assert.equal(wrong.headers.get("allow"), "POST");
      assert.equal(wrong.text, '{"code":12,"message":"Method not allowed"}');
    }
    assert.deepEqual(await r.files(), []);
  });
});

test("unsupported content types and encodings are 415, and nothing is written", async () => {
  await withReceiver(async (r) => {
    for (const type of ["text/plain", "application/xml", "application/jsonx", "application/protobuf"]) {
      const res = await send(`${r.url}/v1/logs`, { method: "POST", headers: { "content-type": type }, body: "{}" });
      assert.equal(res.status, 415, type);
      assert.equal(
        res.text,
        '{"code":3,"message":"Unsupported Content-Type: expected application/json or application/x-protobuf"}',
      );
    }
    const none = await send(`${r.url}/v1/logs`, { method: "POST", body: new Uint8Array([1]) });
    assert.equal(none.status, 415);
    const br = await send(`${r.url}/v1/logs`, {
      method: "POST",
      headers: { ...JSON_TYPE, "content-encoding": "br" },
      body: "{}",
    });
    assert.equal(br.status, 415);
    assert.equal(br.text, '{"code":3,"message":"Unsupported Content-Encoding: br"}');
    assert.deepEqual(await r.files(), []);
  });
});

const SIGNALS = [
  { path: "/v1/traces", dir: "traces", forms: TRACE_FORMS, rows: SPAN_ROWS },
  { path: "/v1/metrics", dir: "metrics", forms: METRIC_FORMS, rows: METRIC_ROWS },
  { path: "/v1/logs", dir: "logs", forms: LOG_FORMS, rows: LOG_ROWS },
];

for (const signal of SIGNALS) {
  test(`${signal.path}: JSON is answered {} in JSON; the rows and the body itself are written`, async () => {
    await withReceiver(async (r) => {
      const body = JSON.stringify(signal.forms().otlpJson);
      const res = await send(`${r.url}${signal.path}`, {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8" },
        body,
      });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/json");
      assert.equal(res.text, "{}");
      assert.deepEqual(await r.rows(signal.dir), signal.rows);
      assert.deepEqual(await r.rows(`raw/${signal.dir}`), [JSON.parse(body)]);
    });
  });

  test(`${signal.path}: protobuf is answered an empty protobuf response; the rows and the OTLP/JSON are written`, async () => {
    await withReceiver(async (r) => {
      const { protobuf, otlpJson } = signal.forms();
      const res = await send(`${r.url}${signal.path}`, { method: "POST", headers: PROTO_TYPE, body: protobuf });
      assert.equal(res.status, 200);
      assert.equal(res.headers.get("content-type"), "application/x-protobuf");
      assert.equal(res.body.length, 0);
      assert.deepEqual(await r.rows(signal.dir), signal.rows);
      assert.deepEqual(await r.rows(`raw/${signal.dir}`), [withNumericInts(otlpJson)]);
    });
  });
}

test("gzip, deflate (zlib and raw) and chunked bodies give the same rows as plain ones", async () => {
  await withReceiver(async (r) => {
    const { protobuf } = TRACE_FORMS();
    const json = new TextEncoder().encode(JSON.stringify(TRACE_FORMS().otlpJson));
    const bodies: [string, Record<string, string>, BodyInit][] = [
      ["gzip protobuf", { ...PROTO_TYPE, "content-encoding": "gzip" }, u8(gzipSync(protobuf))],
      ["gzip json", { ...JSON_TYPE, "content-encoding": "GZIP" }, u8(gzipSync(json))],
      ["deflate", { ...PROTO_TYPE, "content-encoding": "deflate" }, u8(deflateSync(protobuf))],
      ["raw deflate", { ...JSON_TYPE, "content-encoding": "deflate" }, u8(deflateRawSync(json))],
      ["identity", { ...PROTO_TYPE, "content-encoding": "identity" }, protobuf],
      ["chunked", PROTO_TYPE, chunked(protobuf, 100)],
      ["chunked gzip", { ...JSON_TYPE, "content-encoding": "gzip" }, chunked(gzipSync(json), 7)],
    ];
    for (const [name, headers, body] of bodies) {
      const res = await send(`${r.url}/v1/traces`, { method: "POST", headers, body });
      assert.equal(res.status, 200, `${name}: ${res.text}`);
    }
    const rows = await r.rows("traces");
    assert.equal(rows.length, bodies.length * SPAN_ROWS.length);
    for (let i = 0; i < bodies.length; i++) {
      assert.deepEqual(rows.slice(i * 3, i * 3 + 3), SPAN_ROWS, bodies[i][0]);
    }
  });
});

test("empty bodies are empty requests: 200, nothing written", async () => {
  await withReceiver(async (r) => {
    for (const headers of [JSON_TYPE, PROTO_TYPE, { ...JSON_TYPE, "content-encoding": "gzip" }]) {
      const res = await send(`${r.url}/v1/logs`, { method: "POST", headers, body: "" });
      assert.equal(res.status, 200);
    }
    const blank = await send(`${r.url}/v1/logs`, { method: "POST", headers: JSON_TYPE, body: " \n " });
    assert.equal(blank.status, 200);
    assert.deepEqual(await r.files(), []);
  });
});

test("a body of another signal, or not OTLP at all, is a 200 with a partial-success warning", async () => {
  await withReceiver(async (r) => {
    const body = JSON.stringify(LOG_FORMS().otlpJson);
    const res = await send(`${r.url}/v1/traces`, { method: "POST", headers: JSON_TYPE, body });
    assert.equal(res.status, 200);
    assert.deepEqual(JSON.parse(res.text), {
      partialSuccess: {
        errorMessage: "No resourceSpans in the request (it has resourceLogs): is it OTLP traces for /v1/traces?",
      },
    });
    assert.deepEqual((await r.files()).map(path.dirname), [path.join("raw", "traces")]);
  });
});

test("errors of a protobuf request are protobuf google.rpc.Status messages", async () => {
  await withReceiver(async (r) => {
    const res = await send(`${r.url}/v1/metrics`, {
      method: "POST",
      headers: PROTO_TYPE,
      body: new Uint8Array([0xff]),
    });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get("content-type"), "application/x-protobuf");
    const status = fromBinary(StatusSchema, res.body);
    assert.equal(status.code, 3);
    assert.match(status.message, /^Invalid protobuf: /);
    const json = await send(`${r.url}/v1/metrics`, { method: "POST", headers: JSON_TYPE, body: "{oops" });
    assert.equal(json.status, 400);
    assert.equal(json.text, '{"code":3,"message":"Invalid JSON"}');
  });
});

test("a failed write is a 503 with Retry-After, and the receiver recovers once the disk does", async () => {
  await withReceiver(async (r) => {
    // A file where the traces directory should be: every append to traces/ fails with ENOTDIR or EEXIST.
    const blocker = path.join(r.dir, "gw", "traces");
    await mkdir(path.dirname(blocker), { recursive: true });
    await writeFile(blocker, "");
    const body = TRACE_FORMS().protobuf;
    const res = await send(`${r.url}/v1/traces`, { method: "POST", headers: PROTO_TYPE, body });
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "5");
    assert.match(fromBinary(StatusSchema, res.body).message, /^Cannot write .*traces/);
    assert.deepEqual(await r.files(), ["traces"], "only the blocker: the rows failed first, so no raw line either");
    const logs = await send(`${r.url}/v1/logs`, { method: "POST", headers: PROTO_TYPE, body: LOG_FORMS().protobuf });
    assert.equal(logs.status, 200);
    await rm(blocker);
    const again = await send(`${r.url}/v1/traces`, { method: "POST", headers: PROTO_TYPE, body });
    assert.equal(again.status, 200);
    assert.deepEqual(await r.rows("traces"), SPAN_ROWS);
    assert.equal((await r.rows("raw/traces")).length, 1);
  });
});

test("with keepRaw off (a gateway), only rows are written", async () => {
  await withReceiver(async (r) => {
    const res = await send(`${r.url}/v1/logs`, { method: "POST", headers: PROTO_TYPE, body: LOG_FORMS().protobuf });
    assert.equal(res.status, 200);
    assert.deepEqual((await r.files()).map((f) => f.split(path.sep)[0]), ["logs"]);
  }, { keepRaw: false });
});

test("a JSON body of the largest size (20 MiB) is written whole, and the next small request is too", async () => {
  await withReceiver(async (r) => {
    // About 17,000 spans of 1.2 KB, padded with spaces to exactly the limit.
    const span = (i: number) => ({
      traceId: i.toString(16).padStart(32, "0"),
      spanId: i.toString(16).padStart(16, "0"),
      name: "claude_code.llm_request",
      startTimeUnixNano: String(1776886719688000000n + BigInt(i)),
      attributes: Array.from(
        { length: 12 },
        (_, k) => ({ key: `attr.${k}`, value: { stringValue: `value ${i} ${k}` } }),
      ),
    });
    const limit = 20 * 1024 * 1024;
    const spans = [];
    let size = 100;
    for (let i = 0; size < limit - 2000; i++) {
      spans.push(span(i));
      size += JSON.stringify(span(i)).length + 1;
    }
    const json = JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans }] }] });
    const body = new TextEncoder().encode(json + " ".repeat(limit - json.length));
    assert.equal(body.length, limit);
    const res = await send(`${r.url}/v1/traces`, { method: "POST", headers: JSON_TYPE, body });
    assert.equal(res.status, 200, res.text);
    const rows = await r.rows("traces");
    assert.equal(rows.length, spans.length);
    assert.deepEqual([rows[0].spanId, rows.at(-1)!.spanId], [spans[0].spanId, spans.at(-1)!.spanId]);
    assert.equal((rows.at(-1)!.attributes as Record<string, unknown>)["attr.11"], `value ${spans.length - 1} 11`);
    assert.deepEqual(await r.rows("raw/traces"), [JSON.parse(json)]);

    const small = await send(`${r.url}/v1/logs`, { method: "POST", headers: PROTO_TYPE, body: LOG_FORMS().protobuf });
    assert.equal(small.status, 200);
    assert.deepEqual(await r.rows("logs"), LOG_ROWS);
  });
});

/** `bytes` as a stream of `size`-byte chunks: fetch sends it with chunked transfer encoding. */
export function chunked(bytes: Uint8Array, size: number): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + size));
      offset += size;
    },
  });
}
