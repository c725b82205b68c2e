/**
 * The recorder's view of a Server-Sent Events stream: bytes in as they stream, events out as each one completes,
 * parsed by `eventsource-parser` (the WHATWG rules). It only observes; the proxied bytes are never altered.
 *
 * @module
 */
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from "eventsource-parser";

/**
 * The most an event may hold while it is read (its data lines, or a line that has not ended), in characters: 64 Mi.
 * A stream that goes past it (a line without end, data lines without the blank line that ends an event) would
 * otherwise be held in memory for as long as it lasts.
 */
export const MAX_SSE_EVENT_CHARS = 64 * 1024 * 1024;

/** An event went past {@link MAX_SSE_EVENT_CHARS}: the stream cannot be read any further. */
export class SseEventTooLargeError extends Error {
  constructor(maxChars: number) {
    super(`Cannot read the stream: an event is longer than ${maxChars / (1024 * 1024)} MiB, or a line never ends`);
    this.name = "SseEventTooLargeError";
  }
}

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
 * the colon is dropped; `id` is reported on its event (the recorder does not keep it); `retry` is ignored. A line that
 * arrives over many chunks is joined once, when it ends. Partial lines and multi-byte characters are carried across
 * chunks. An event longer than `maxEventChars` ({@link MAX_SSE_EVENT_CHARS}) is not held: `push` throws
 * {@link SseEventTooLargeError}, then and on every later call.
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
  readonly #maxChars: number;
  #tooLarge = false;

  constructor(options: { maxEventChars?: number } = {}) {
    this.#maxChars = options.maxEventChars ?? MAX_SSE_EVENT_CHARS;
    this.#parser = createParser({
      maxBufferSize: this.#maxChars,
      onError: (error: ParseError) => {
        if (error.type === "max-buffer-size-exceeded") this.#tooLarge = true;
      },
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
    if (!this.#tooLarge) this.#parser.feed(this.#decoder.decode(chunk, { stream: true }));
    if (this.#tooLarge) {
      this.#out = [];
      throw new SseEventTooLargeError(this.#maxChars);
    }
    const events = this.#out;
    if (events.length > 0) this.#out = [];
    return events;
  }
}

/** True when a `content-type` is `text/event-stream` (parameters and case ignored). */
export function isEventStream(contentType: string | null): boolean {
  return contentType?.split(";")[0].trim().toLowerCase() === "text/event-stream";
}
