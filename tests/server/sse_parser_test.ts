/**
 * The recorder's SSE parser on its own: the WHATWG line breaks (LF, CRLF, bare CR) at any chunk boundary, the field
 * rules, and a long line over many chunks in linear time.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { type SseEvent, SseParser } from "../../server/sse_parser.ts";

const enc = new TextEncoder();

function parse(chunks: (string | Uint8Array)[]): SseEvent[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(typeof c === "string" ? enc.encode(c) : c));
}

const STREAM = 'event: message_start\ndata: {"a":1}\n\n: keep-alive\n\ndata: one\ndata: two\n\n' +
  "event: ping\ndata: {}\nid: 7\nretry: 10\n\nevent: 日本語\ndata: ✓ done\n\n";
const EVENTS = [
  { event: "message_start", data: '{"a":1}' },
  { event: "message", data: "one\ntwo" },
  { event: "ping", data: "{}", id: "7" },
  { event: "日本語", data: "✓ done" },
];

test("SseParser gives the same events for LF, CRLF and bare CR line breaks, split at every byte", () => {
  for (const eol of ["\n", "\r\n", "\r"]) {
    const bytes = enc.encode(STREAM.replaceAll("\n", eol));
    assert.deepEqual(parse([bytes]), EVENTS, JSON.stringify(eol));
    for (let cut = 1; cut < bytes.length; cut++) {
      assert.deepEqual(
        parse([bytes.subarray(0, cut), bytes.subarray(cut)]),
        EVENTS,
        `${JSON.stringify(eol)} at ${cut}`,
      );
    }
    assert.deepEqual(parse([...bytes].map((b) => Uint8Array.of(b))), EVENTS, `${JSON.stringify(eol)} byte by byte`);
  }
});

test("SseParser takes a CR at the end of a chunk and a LF at the start of the next as one line break", () => {
  assert.deepEqual(parse(["data: a\r", "\ndata: b\r", "\n\r", "\n"]), [{ event: "message", data: "a\nb" }]);
  assert.deepEqual(parse(["data: a\r", "", "\r"]), [{ event: "message", data: "a" }]);
});

test("SseParser handles bare CR line breaks and mixed ones in one stream", () => {
  assert.deepEqual(parse(["data: a\rdata: b\r\revent: x\r\ndata: c\n\r"]), [
    { event: "message", data: "a\nb" },
    { event: "x", data: "c" },
  ]);
});

test("SseParser applies the field rules: one space dropped, no colon, comments, one leading BOM", () => {
  assert.deepEqual(parse(["\uFEFFdata:  two spaces\ndata\ndata:\n\n"]), [
    { event: "message", data: " two spaces\n\n" },
  ]);
  assert.deepEqual(parse([Uint8Array.of(0xef, 0xbb), Uint8Array.of(0xbf), "data: x\n\n"]), [
    { event: "message", data: "x" },
  ]);
  assert.deepEqual(parse(["event: named\nevent\ndata: reset to message\n\n"]), [
    { event: "message", data: "reset to message" },
  ]);
  assert.deepEqual(parse(["data: cut before the blank line"]), []);
});

test("SseParser dispatches only events with data, as the spec says", () => {
  assert.deepEqual(parse([":comment\n\n", "event: ping\n\n", "id: 3\nretry: 10\n\n", "data\n\n"]), [
    { event: "message", data: "" },
  ]);
});

test("SseParser keeps a multi-byte character split across chunks", () => {
  const bytes = enc.encode("data: 表✓\n\n");
  assert.deepEqual(parse([bytes.subarray(0, 8), bytes.subarray(8, 10), bytes.subarray(10)]), [
    { event: "message", data: "表✓" },
  ]);
});

test("SseParser reads a 32 MiB line that arrives in 1 KiB chunks in linear time", async () => {
  // Run in a worker with a deadline far above the linear time (about 0.1 s): re-joining or re-scanning the line on
  // every chunk would take minutes, and the worker is stopped rather than the test hanging.
  const worker = new Worker(new URL("./_sse_long_line_worker.ts", import.meta.url), { type: "module" });
  try {
    const result = await new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the long line did not parse within 30 s")), 30_000);
      worker.onmessage = (e) => {
        clearTimeout(timer);
        resolve(e.data);
      };
      worker.onerror = (e) => {
        clearTimeout(timer);
        reject(new Error(e.message));
      };
    });
    assert.deepEqual(result, { events: 1, dataLength: 32 * 1024 * 1024, last: "x" });
  } finally {
    worker.terminate();
  }
});

test("SseParser refuses an event longer than 64 Mi characters (a line without end, or data lines without a blank line)", () => {
  const enc = new TextEncoder();
  const piece = enc.encode("x".repeat(1024 * 1024));
  const line = new SseParser();
  line.push(enc.encode("data: "));
  assert.throws(() => {
    for (let i = 0; i < 65; i++) line.push(piece);
  }, /an event is longer than 64 MiB/);
  // Once refused, the stream's events are not read any further.
  assert.throws(() => line.push(enc.encode("\n\ndata: ok\n\n")), /an event is longer than 64 MiB/);
  const lines = new SseParser();
  const dataLine = enc.encode(`data: ${"y".repeat(1024 * 1024 - 7)}\n`);
  assert.throws(() => {
    for (let i = 0; i < 65; i++) lines.push(dataLine);
  }, /an event is longer than 64 MiB/);
  // Just under the bound is one event.
  const under = new SseParser();
  under.push(enc.encode("data: "));
  for (let i = 0; i < 63; i++) under.push(piece);
  assert.deepEqual(under.push(enc.encode("\n\n")).map((e) => e.data.length), [63 * 1024 * 1024]);
});
