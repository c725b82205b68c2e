/**
 * The recorder's view of a Server-Sent Events stream: bytes in as they stream, events out as each one completes,
 * parsed by `eventsource-parser` (the WHATWG rules). It only observes; the proxied bytes are never altered.
 *
 * @module
 */
import { createParser, type EventSourceMessage, type EventSourceParser } from "eventsource-parser";

/** One dispatched SSE event: its `event` name (default `message`) and its raw `data` (data lines joined by `\n`). */
export interface SseEvent {
  event: string;
  data: string;
  /** The event's `id` field, when its block had one (a resuming client sends it back as `Last-Event-ID`). */
  id?: string;
}

/**
 * Parses an SSE byte stream by the WHATWG rules: UTF-8 with one leading BOM ignored; lines end in CRLF, LF or a bare
 * CR, at any chunk boundary; a blank line dispatches an event that has data; `:` lines are comments; one space after
 * the colon is dropped; `id` is reported on its event (the recorder does not keep it); `retry` is ignored. A line that arrives over many chunks is joined
 * once, when it ends. Partial lines and multi-byte characters are carried across chunks.
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
  // The parser strips the BOM itself (once, as the spec says): the decoder must leave it.
  #decoder = new TextDecoder("utf-8", { ignoreBOM: true });
  #parser: EventSourceParser;
  #out: SseEvent[] = [];

  constructor() {
    this.#parser = createParser({
      onEvent: (message: EventSourceMessage) =>
        this.#out.push(
          message.id === undefined
            ? { event: message.event || "message", data: message.data }
            : { event: message.event || "message", data: message.data, id: message.id },
        ),
    });
  }

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array): SseEvent[] {
    this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    const events = this.#out;
    if (events.length > 0) this.#out = [];
    return events;
  }
}

/** True when a `content-type` is `text/event-stream` (parameters and case ignored). */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(";")[0].trim().toLowerCase() === "text/event-stream";
}
