import assert from "node:assert/strict";
import { test } from "node:test";
import { ByteBuffer } from "../../storage/byte_buffer.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** A byte stream that hands out `chunks`, or fails with `error` once they are out. */
function byteStream(chunks: Uint8Array[], error?: Error): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      const chunk = chunks.shift();
      if (chunk) controller.enqueue(chunk);
      else if (error) controller.error(error);
      else {
        controller.close();
        controller.byobRequest?.respond(0); // a read waiting with its memory gets it back, and done
      }
    },
  });
}

test("ByteBuffer grows as needed, keeps what it holds, and clear() keeps or drops its memory", () => {
  const buffer = new ByteBuffer(16);
  buffer.appendText("x".repeat(20));
  buffer.append(new Uint8Array([0x21]));
  buffer.appendText("ü");
  assert.equal(text(buffer.bytes()), "x".repeat(20) + "!ü");
  assert.equal(text(buffer.bytes(20, 21)), "!");
  const grown = buffer.capacity;
  assert.ok(grown >= 24);
  buffer.clear();
  assert.equal(buffer.byteLength, 0);
  assert.equal(buffer.capacity, grown, "the memory is kept for the next use");
  buffer.reserve(1000);
  buffer.clear(100);
  assert.equal(buffer.capacity, 16, "a buffer grown past keepBytes starts small again");
});

test("ByteBuffer.readFrom() reads a byte stream into its own memory, chunk after chunk", async () => {
  const buffer = new ByteBuffer(4);
  buffer.appendText("<");
  const reader = byteStream([new TextEncoder().encode("hello "), new TextEncoder().encode("world")])
    .getReader({ mode: "byob" });
  const dones: boolean[] = [];
  for (;;) {
    const done = await buffer.readFrom(reader, 64);
    dones.push(done);
    if (done) break;
  }
  assert.equal(text(buffer.bytes()), "<hello world");
  assert.deepEqual(dones, [false, false, true]);
});

test("ByteBuffer.readFrom() that fails leaves a usable, empty buffer", async () => {
  const buffer = new ByteBuffer(8);
  buffer.appendText("kept?");
  const reader = byteStream([], new Error("connection reset")).getReader({ mode: "byob" });
  await assert.rejects(buffer.readFrom(reader, 16), { message: "connection reset" });
  buffer.clear();
  buffer.appendText("again");
  assert.equal(text(buffer.bytes()), "again");
});

test("JsonlBytes makes whole lines of values, text, bytes and pieces", () => {
  const lines = new JsonlBytes(8);
  lines.pushValue({ a: "é\n" });
  lines.pushLine('{"b":2}');
  lines.pushLine(new TextEncoder().encode('{"c":3}'));
  lines.appendText('{"d":');
  lines.appendText("4}");
  lines.endLine();
  assert.equal(text(lines.bytes()), '{"a":"é\\n"}\n{"b":2}\n{"c":3}\n{"d":4}\n');
  assert.throws(() => lines.pushValue(undefined), TypeError);
});
