/**
 * An incremental Server-Sent Events parser for the recorder: bytes in as they stream, events out as each one
 * completes. It only observes; the proxied bytes are never altered.
 *
 * @module
 */

/** One dispatched SSE event: its `event` name (default `message`) and its raw `data` (data lines joined by `\n`). */
export interface SseEvent {
  event: string;
  data: string;
}

/**
 * Parses an SSE byte stream (WHATWG rules: lines end in `\n` or `\r\n`, a blank line dispatches, `:` lines are
 * comments, one space after the colon is dropped, `id` and `retry` are accepted and ignored, a block with no fields
 * is not dispatched). Partial lines and multi-byte characters are carried across chunks.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const parser = new SseParser();
 * const enc = new TextEncoder();
 * assert.deepEqual(parser.push(enc.encode("event: ping\nda")), []);
 * assert.deepEqual(parser.push(enc.encode('ta: {"type":"ping"}\n\n: hi\n\n')), [
 *   { event: "ping", data: '{"type":"ping"}' },
 * ]);
 * ```
 */
export class SseParser {
  #decoder = new TextDecoder();
  #buffer = "";
  #event = "";
  #data: string[] = [];
  #hasFields = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    const text = this.#buffer + this.#decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", start)) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      this.#line(text.slice(start, end), out);
      start = nl + 1;
    }
    this.#buffer = start === 0 ? text : text.slice(start);
    return out;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.#hasFields) out.push({ event: this.#event || "message", data: this.#data.join("\n") });
      this.#event = "";
      this.#data = [];
      this.#hasFields = false;
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ":" comment
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    this.#hasFields = true;
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
  }
}

/** True when a `content-type` is `text/event-stream` (parameters and case ignored). */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(";")[0].trim().toLowerCase() === "text/event-stream";
}
