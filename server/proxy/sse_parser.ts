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

const LF = 10;
const SPACE = 32;
const COLON = 58;

/**
 * Parses an SSE byte stream by the WHATWG rules: UTF-8 with one leading BOM ignored; a line ends in CRLF, LF or a
 * bare CR (a CR at the end of a chunk waits for the next one, so a CRLF split across chunks is one line break); a
 * blank line dispatches; `:` lines are comments; one space after the colon is dropped; `id` and `retry` are accepted
 * and ignored. As the recorder always has (reference §4.2), a block with any field is dispatched, data or not, and a
 * block with none is not. Partial lines are kept as pieces and joined once, when their line ends, so a long line
 * over many chunks costs linear time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const parser = new SseParser();
 * const enc = new TextEncoder();
 * assert.deepEqual(parser.push(enc.encode("event: ping\nda")), []);
 * assert.deepEqual(parser.push(enc.encode('ta: {"type":"ping"}\r\n\r: hi\n\n')), [
 *   { event: "ping", data: '{"type":"ping"}' },
 * ]);
 * ```
 */
export class SseParser {
  #decoder = new TextDecoder();
  /** The start of a line whose end has not arrived yet, in the pieces the chunks brought. */
  #pending: string[] = [];
  /** The last chunk ended in CR: a LF starting the next one belongs to the same line break. */
  #afterCr = false;
  #event = "";
  #data: string[] = [];
  #hasFields = false;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    const out: SseEvent[] = [];
    const text = this.#decoder.decode(chunk, { stream: true });
    if (text === "") return out;
    let start = 0;
    if (this.#afterCr) {
      this.#afterCr = false;
      if (text.charCodeAt(0) === LF) start = 1;
    }
    // Each search result is kept until the scan passes it: one pass over the chunk for each terminator kind.
    let lf = text.indexOf("\n", start);
    let cr = text.indexOf("\r", start);
    while (lf !== -1 || cr !== -1) {
      const end = cr === -1 || (lf !== -1 && lf < cr) ? lf : cr;
      this.#line(this.#take(text.slice(start, end)), out);
      start = end + 1;
      if (end === cr) {
        if (start === text.length) this.#afterCr = true;
        else if (text.charCodeAt(start) === LF) start++;
      }
      if (lf !== -1 && lf < start) lf = text.indexOf("\n", start);
      if (cr !== -1 && cr < start) cr = text.indexOf("\r", start);
    }
    if (start < text.length) this.#pending.push(start === 0 ? text : text.slice(start));
    return out;
  }

  /** `tail` completes a line: the line is the pending pieces and `tail`. */
  #take(tail: string): string {
    if (this.#pending.length === 0) return tail;
    this.#pending.push(tail);
    const line = this.#pending.join("");
    this.#pending = [];
    return line;
  }

  #line(line: string, out: SseEvent[]): void {
    if (line === "") {
      if (this.#hasFields) out.push({ event: this.#event || "message", data: this.#data.join("\n") });
      this.#event = "";
      this.#data = [];
      this.#hasFields = false;
      return;
    }
    if (line.charCodeAt(0) === COLON) return;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === SPACE) value = value.slice(1);
    this.#hasFields = true;
    if (field === "event") this.#event = value;
    else if (field === "data") this.#data.push(value);
  }
}

/** True when a `content-type` is `text/event-stream` (parameters and case ignored). */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(";")[0].trim().toLowerCase() === "text/event-stream";
}
