/**
 * Hostile and broken requests against a real receiver: each gets the right 4xx quickly, writes nothing, and the
 * receiver goes on serving. Large bodies are streamed, never built in memory.
 */
import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { constants, deflateRawSync, gzipSync } from "node:zlib";
import { BodyError, readBody } from "../../../server/read_body.ts";
import { TRACE_FORMS } from "./_fixtures.ts";
import { startReceiver, type TestReceiver } from "./_receiver.ts";

const MiB = 1024 * 1024;
const PROTO = { "content-type": "application/x-protobuf" };
const JSON_TYPE = { "content-type": "application/json" };

async function post(r: TestReceiver, headers: Record<string, string>, body: BodyInit, path = "/v1/traces") {
  const response = await fetch(`${r.url}${path}`, { method: "POST", headers, body });
  return { status: response.status, text: await response.text() };
}

/** A stream of `total` bytes, `first` then `fill` repeated, 64 KiB a chunk, made as it is read. */
function stream(total: number, first = new Uint8Array(0), fill = 0x20): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(fill);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const piece = sent === 0 && first.length > 0 ? first : chunk.subarray(0, Math.min(chunk.length, total - sent));
      sent += piece.length;
      controller.enqueue(piece);
    },
  });
}

/** Runs `fn`, then checks nothing was written and a valid request still gets a 200. */
async function refusedAndStillServing(fn: (r: TestReceiver) => Promise<void>) {
  const receiver = await startReceiver();
  try {
    await fn(receiver);
    assert.deepEqual(await receiver.files(), [], "a refused request writes nothing");
    const ok = await post(receiver, PROTO, TRACE_FORMS().protobuf);
    assert.equal(ok.status, 200, "the receiver keeps serving");
    assert.equal((await receiver.rows("traces")).length, 3);
    assert.deepEqual(receiver.logs, [], "no internal error was logged");
  } finally {
    await receiver.close();
  }
}

test("random bytes as protobuf are 400s", async () => {
  await refusedAndStillServing(async (r) => {
    let seed = 99;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) & 0xff;
    let rejected = 0;
    for (let i = 0; i < 50; i++) {
      const body = Uint8Array.from({ length: 64 + i * 37 }, random);
      body[0] = 0x0a; // field 1, LEN: the start of a plausible request, so the decoder has to look further
      const res = await post(r, PROTO, body, ["/v1/traces", "/v1/metrics", "/v1/logs"][i % 3]);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /Invalid protobuf|Invalid OTLP/);
      rejected++;
    }
    assert.equal(rejected, 50);
  });
});

test("a truncated gzip body is a 400", async () => {
  await refusedAndStillServing(async (r) => {
    const gzip = gzipSync(TRACE_FORMS().protobuf);
    for (const cut of [5, gzip.length >> 1, gzip.length - 4]) {
      const res = await post(r, { ...PROTO, "content-encoding": "gzip" }, new Uint8Array(gzip.subarray(0, cut)));
      assert.equal(res.status, 400, `cut at ${cut}: ${res.text}`);
      assert.match(res.text, /Invalid gzip body/);
    }
    const notGzip = await post(r, { ...PROTO, "content-encoding": "gzip" }, TRACE_FORMS().protobuf);
    assert.equal(notGzip.status, 400);
  });
});

test("a gzip bomb (1 MiB expanding to 1 GiB) is a 413, refused while it expands", async () => {
  await refusedAndStillServing(async (r) => {
    const bomb = gzipBomb(1024);
    const res = await post(r, { ...JSON_TYPE, "content-encoding": "gzip" }, bomb);
    assert.equal(res.status, 413);
    assert.equal(res.text, '{"code":8,"message":"Request body is larger than 20971520 bytes (otel.max_body_bytes)"}');
  });
});

test("readBody() stops pulling a bomb off the wire once the expansion passes the limit", async () => {
  const bomb = gzipBomb(1024);
  let pulled = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (pulled >= bomb.length) return controller.close();
      const piece = bomb.subarray(pulled, pulled + 16 * 1024);
      pulled += piece.length;
      controller.enqueue(piece);
    },
  }, { highWaterMark: 0 });
  const request = new Request("http://x/v1/logs", { method: "POST", body, headers: { "content-encoding": "gzip" } });
  await assert.rejects(readBody(request, 20 * MiB), (error: unknown) => {
    assert.ok(error instanceof BodyError);
    return error.kind === "too_large";
  });
  assert.ok(pulled < bomb.length / 10, `read ${pulled} of ${bomb.length} compressed bytes`);
});

test("a gzip body that expands to just under the limit is accepted", async () => {
  const receiver = await startReceiver();
  try {
    const text = new TextEncoder().encode(" ".repeat(19 * MiB) + '{"resourceSpans":[]}');
    const res = await post(receiver, { ...JSON_TYPE, "content-encoding": "gzip" }, new Uint8Array(gzipSync(text)));
    assert.equal(res.status, 200, res.text);
  } finally {
    await receiver.close();
  }
});

test("plain bodies of exactly the limit are accepted and one byte more is a 413, chunked or with a length", async () => {
  // 256 KiB: four whole 64 KiB chunks, so the read after the last one starts on a chunk boundary.
  const limit = 256 * 1024;
  const receiver = await startReceiver({ maxBodyBytes: limit });
  try {
    const json = new TextEncoder().encode('{"resourceSpans":[]}');
    for (const [size, status] of [[limit, 200], [limit + 1, 413]]) {
      const padded = stream(size, json);
      assert.equal((await post(receiver, JSON_TYPE, padded)).status, status, `${size} bytes, chunked`);
      const whole = new Uint8Array(size).fill(0x20);
      whole.set(json);
      assert.equal((await post(receiver, JSON_TYPE, whole)).status, status, `${size} bytes with a length`);
    }
  } finally {
    await receiver.close();
  }
});

test("JSON nested 100,000 deep is a 400, in arrays, objects and attribute values", async () => {
  await refusedAndStillServing(async (r) => {
    const deepValue = '{"arrayValue":{"values":['.repeat(100_000) + "]}}".repeat(100_000);
    const bodies = [
      "[".repeat(100_000) + "]".repeat(100_000),
      '{"a":'.repeat(100_000) + "1" + "}".repeat(100_000),
      `{"resourceSpans":[{"resource":{"attributes":[{"key":"k","value":${deepValue}}]}}]}`,
    ];
    for (const body of bodies) {
      const res = await post(r, JSON_TYPE, body);
      assert.equal(res.status, 400);
      assert.equal(res.text, '{"code":3,"message":"Invalid JSON: nested deeper than 256 levels"}');
    }
    // Within the JSON limit but past the attribute value limit.
    const values = '{"arrayValue":{"values":['.repeat(70) + "]}}".repeat(70);
    const res = await post(
      r,
      JSON_TYPE,
      `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"body":${values}}]}]}]}`,
      "/v1/logs",
    );
    assert.equal(res.status, 400);
    assert.match(res.text, /nested deeper than 64 levels/);
  });
});

test("a 50 MB body is a 413, streamed (chunked) or with its Content-Length", async () => {
  await refusedAndStillServing(async (r) => {
    const streamed = await post(r, JSON_TYPE, stream(50_000_000, new TextEncoder().encode('{"resourceSpans":[')));
    assert.equal(streamed.status, 413);
    const declared = await fetch(`${r.url}/v1/traces`, {
      method: "POST",
      headers: { ...PROTO, "content-length": String(50_000_000) },
      body: stream(50_000_000, new Uint8Array(0), 0),
    }).then(async (res) => ({ status: res.status, text: await res.text() }));
    assert.equal(declared.status, 413);
  });
});

test("invalid JSON, non-object JSON and wrongly typed OTLP fields are 400s", async () => {
  await refusedAndStillServing(async (r) => {
    const cases: [string, RegExp][] = [
      ["{", /^Invalid JSON$/],
      ["[1,2]", /not a JSON object/],
      ['"text"', /not a JSON object/],
      ['{"resourceSpans":{}}', /resourceSpans is not an array/],
      [
        '{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz"}]}]}]}',
        /traceId is neither hex nor base64 of 16 bytes/,
      ],
      ['{"resourceSpans":[{"scopeSpans":[{"spans":[{"attributes":[{"key":1}]}]}]}]}', /attribute key/],
    ];
    for (const [body, message] of cases) {
      const res = await post(r, JSON_TYPE, body);
      assert.equal(res.status, 400, body);
      assert.match(JSON.parse(res.text).message, message, body);
    }
  });
});

/**
 * A gzip stream of `mib` MiB of zeros, made without compressing them all: one MiB deflated and sync-flushed (a
 * non-final, self-contained segment), repeated, then an empty final block. The CRC in the trailer is left wrong: a
 * receiver that got that far has already lost.
 */
function gzipBomb(mib: number): Uint8Array<ArrayBuffer> {
  const segment = deflateRawSync(new Uint8Array(MiB), { finishFlush: constants.Z_SYNC_FLUSH });
  const header = Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
  const out = new Uint8Array(header.length + segment.length * mib + 2 + 8);
  out.set(header, 0);
  for (let i = 0; i < mib; i++) out.set(segment, header.length + i * segment.length);
  out.set([0x03, 0x00], header.length + segment.length * mib); // an empty fixed-Huffman block with BFINAL set
  return out;
}

test("a client that disconnects in the middle of its body: nothing written, no internal error, still serving", async () => {
  await refusedAndStillServing(async (r) => {
    const { hostname, port } = new URL(r.url);
    for (const [i, framing] of ["Content-Length: 100000", "Transfer-Encoding: chunked"].entries()) {
      const socket = net.connect(Number(port), hostname);
      socket.on("error", () => {});
      const start = framing.startsWith("Content") ? "\x0a\x40" : "2\r\n\x0a\x40\r\n";
      socket.write(
        `POST /v1/traces HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-protobuf\r\n${framing}\r\n\r\n${start}`,
      );
      // Cut once the handler is reading the body, then wait until it has dealt with the disconnect.
      await r.reached(i + 1);
      socket.destroy();
      await r.handled(i + 1);
    }
  });
});
