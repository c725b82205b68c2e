/**
 * One recorded exchange: its `stream_event` rows as SSE events arrive, then exactly one `exchange` row
 * (reference §4.3). Observing never throws into the proxied stream.
 *
 * @module
 */
import { isoTimestamp } from "../../storage/utc_date.ts";
import { SseEventTooLargeError, SseParser } from "../sse_parser.ts";
import { BodyCapture, isDecodable } from "./body_capture.ts";
import type { RecordedHeaders } from "./headers.ts";
import type { Recorder } from "./recorder.ts";
import { type StreamDecoder, streamDecoder } from "./stream_decoding.ts";

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));
/** Random bytes drawn 64 ids at a time: one call into the runtime per 64 exchanges rather than per exchange. */
const idPool = new Uint8Array(16 * 64);
let idAt = idPool.length;

/** 16 random bytes as 32 lowercase hex characters. */
function randomHex16(): string {
  if (idAt === idPool.length) {
    crypto.getRandomValues(idPool);
    idAt = 0;
  }
  let hex = "";
  for (const end = idAt + 16; idAt < end; idAt++) hex += HEX[idPool[idAt]];
  return hex;
}

/** What the Claude session context adds to an exchange row (reference §4.7). */
export interface SessionContext {
  cwd?: string;
  git_branch?: string;
}

/** What is known when the request has been read. */
export interface ExchangeStart {
  upstream: string;
  client: { ip?: string; user_agent?: string };
  request: { method: string; path: string; headers: RecordedHeaders };
  /** The request body as recorded; read when the exchange finishes (a streamed body's size is known only then). */
  requestBody(): string;
  /**
   * False when the ignore filter dropped the exchange: it then writes no rows at all. A promise while the session is
   * not known yet (a request body too large to hold, whose session id is still passing): rows wait for it.
   */
  record: boolean | Promise<boolean>;
  /** Makes a pending `record` resolve with what is known; called when the exchange finishes first. */
  settle?: () => void;
  /** Looks up the session context when the exchange finishes (it may arrive while the request runs). */
  context?: () => SessionContext | undefined;
}

/** How the response is to be recorded. */
export interface ResponseStart {
  status: number;
  headers: RecordedHeaders;
  /** An SSE stream: events become rows and the body is not kept. */
  stream: boolean;
  /** The content-encoding the bytes still have (undefined when the upstream client already decoded them). */
  encoding?: string | null;
  /** Bytes of a non-streaming body kept for the row. */
  maxBodyBytes: number;
}

/** A recorded exchange; see the module doc. */
export class Exchange {
  /** 32 lowercase hex characters. */
  readonly id: string = randomHex16();
  readonly #recorder: Recorder;
  readonly #start: ExchangeStart;
  readonly #t0 = performance.now();
  readonly #tsStart = Date.now();
  #response: ResponseStart | undefined;
  #sse: SseParser | undefined;
  /** Undoes a compressed stream's encoding before its events are parsed, or before a long body is kept. */
  #decoder: StreamDecoder | undefined;
  #body: BodyCapture | undefined;
  /** The content-encoding of the bytes `#body` keeps, when ctvs can undo it. */
  #bodyCoding: string | undefined;
  #events = 0;
  #finished = false;
  /** Whether rows are written; undefined while the decision is pending. */
  #record: boolean | undefined;
  /** Rows made while the decision is pending, in order. */
  #held: [row: object, droppable: boolean][] | undefined;
  /** Resolves once a pending decision was made and the held rows went out (or were dropped). */
  #decided: Promise<void> | undefined;

  constructor(recorder: Recorder, start: ExchangeStart) {
    this.#recorder = recorder;
    this.#start = start;
    if (typeof start.record === "boolean") {
      this.#record = start.record;
      return;
    }
    this.#held = [];
    const decide = (record: boolean) => {
      this.#record = record;
      const held = this.#held!;
      this.#held = undefined;
      if (record) { for (const [row, droppable] of held) this.#recorder.write(row, droppable); }
    };
    // A failed decision records, as a failed ignore check does.
    this.#decided = start.record.then(decide, () => decide(true));
  }

  /** Whether `finish` was called. */
  get finished(): boolean {
    return this.#finished;
  }

  /** The upstream answered with `response`. */
  respond(response: ResponseStart): void {
    this.#response = response;
    if (!response.stream) {
      this.#body = new BodyCapture(response.maxBodyBytes);
      if (isDecodable(response.encoding)) this.#bodyCoding = response.encoding;
      return;
    }
    const coding = response.encoding?.trim().toLowerCase();
    if (coding && coding !== "identity") {
      // Events of a stream in an unknown coding cannot be read: its exchange row is still written.
      this.#decoder = streamDecoder(coding, (decoded) => this.#parse(decoded));
      if (!this.#decoder) return;
    }
    this.#sse = new SseParser();
  }

  /** The upstream could not be reached: recorded as a 502 with no headers, and finished. */
  connectFailed(message: string): void {
    this.#response = { status: 502, headers: {}, stream: false, maxBodyBytes: 0 };
    this.finish(message);
  }

  /** A chunk of the response body passed through. */
  observe(chunk: Uint8Array): void {
    if (this.#finished) return;
    try {
      if (this.#decoder) this.#decoder.write(chunk);
      else if (!this.#body) this.#parse(chunk);
      else if (this.#bodyCoding && this.#body.total + chunk.byteLength > this.#body.limit) {
        this.#decodeBody(this.#bodyCoding, [this.#body.bytes(), chunk]);
      } else this.#body.add(chunk);
    } catch {
      // A recorder bug must not break the stream; the exchange row still says what passed.
    }
  }

  /** Records the SSE events that `chunk` completes. */
  #parse(chunk: Uint8Array): void {
    if (!this.#sse) return;
    try {
      for (const { event, data } of this.#sse.push(chunk)) {
        this.#events++;
        if (this.#record === false) continue;
        const t_ms = Math.round(performance.now() - this.#t0);
        const row = { exchange_id: this.id, kind: "stream_event", t_ms, event, data };
        if (this.#held) this.#held.push([row, true]);
        else this.#recorder.write(row, true);
      }
    } catch (error) {
      // An event too long to hold ends the recording of this stream's events (it is still relayed whole); a recorder
      // bug must not break the stream either. The exchange row still says what passed.
      if (error instanceof SseEventTooLargeError) this.#sse = undefined;
    }
  }

  /**
   * From here on the body is decoded as it passes, starting with `pending`, and its decoded bytes are kept: a
   * compressed body longer than the limit (compressed, or once decoded) is then recorded as its first decoded bytes
   * with the truncation marker, as a plain one would be.
   */
  #decodeBody(coding: string, pending: Uint8Array[]): void {
    const decoded = new BodyCapture(this.#body!.limit);
    this.#body = decoded;
    this.#bodyCoding = undefined;
    this.#decoder = streamDecoder(coding, (bytes) => decoded.add(bytes));
    for (const bytes of pending) this.#decoder!.write(bytes);
  }

  /** Writes the exchange row, once; later calls do nothing. `error` is a message or `client_aborted`. */
  finish(error?: string): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#bodyCoding && this.#body?.decodesPastLimit(this.#bodyCoding)) {
      try {
        this.#decodeBody(this.#bodyCoding, [this.#body.bytes()]);
      } catch {
        // As in observe: the row is still written, from the raw bytes.
      }
    }
    // A decoder (a compressed stream, a long compressed body) hands over its last bytes after the last chunk: the row
    // waits for them.
    if (this.#decoder) this.#recorder.defer(this.#decoder.end().then(() => this.#write(error)));
    else this.#write(error);
  }

  #write(error: string | undefined): void {
    const ended = { at: Date.now(), ms: performance.now() - this.#t0 };
    if (this.#record === undefined) {
      // The session is still unknown: the row waits for the decision (and the rows held before it).
      this.#start.settle?.();
      this.#recorder.defer(this.#decided!.then(() => this.#writeRow(error, ended)));
    } else this.#writeRow(error, ended);
  }

  #writeRow(error: string | undefined, ended: { at: number; ms: number }): void {
    if (!this.#record) return;
    try {
      this.#recorder.write(this.#row(error, ended));
    } catch {
      // As in observe: never into the stream.
    }
  }

  #row(error: string | undefined, ended: { at: number; ms: number }) {
    const { upstream, client, request, requestBody } = this.#start;
    const response = this.#response && {
      status: this.#response.status,
      headers: this.#response.headers,
      body: this.#body?.text(this.#bodyCoding),
    };
    const context = this.#start.context?.();
    return {
      exchange_id: this.id,
      kind: "exchange",
      ts_start: isoTimestamp(this.#tsStart),
      ts_end: isoTimestamp(ended.at),
      duration_ms: Math.round(ended.ms),
      upstream,
      client,
      request: { ...request, body: requestBody() },
      response,
      stream_event_count: this.#events,
      error,
      cwd: context?.cwd,
      git_branch: context?.git_branch,
    };
  }
}
