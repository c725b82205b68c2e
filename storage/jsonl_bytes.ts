/**
 * JSON lines encoded to UTF-8 as they are made, into a reusable {@linkcode ByteBuffer}: a writer of many rows keeps
 * them as bytes outside the JavaScript heap instead of holding a string per row until the disk takes them.
 *
 * @module
 */
import { ByteBuffer } from "./byte_buffer.ts";

const NEWLINE = 0x0a;

/**
 * A buffer of whole JSON lines (each ending in `"\n"`), for {@linkcode JsonlSink.appendBytes}.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonlBytes } from "./jsonl_bytes.ts";
 *
 * const lines = new JsonlBytes(4);
 * lines.pushValue({ body: "héllo" });
 * lines.pushLine('{"n":2}');
 * assert.equal(new TextDecoder().decode(lines.bytes()), '{"body":"héllo"}\n{"n":2}\n');
 * ```
 */
export class JsonlBytes extends ByteBuffer {
  /** Appends `JSON.stringify(value)` as a line; a TypeError when the value has no JSON form. */
  pushValue(value: unknown): void {
    const line = JSON.stringify(value);
    if (line === undefined) throw new TypeError("Cannot encode a JSON line: the value has no JSON form");
    this.pushLine(line);
  }

  /** Appends `line` (text or UTF-8 bytes, with no newline inside: the caller's promise) and a newline. */
  pushLine(line: string | Uint8Array): void {
    if (typeof line === "string") this.appendText(line);
    else this.append(line);
    this.endLine();
  }

  /** Ends a line made of pieces appended one by one. */
  endLine(): void {
    this.appendByte(NEWLINE);
  }
}
