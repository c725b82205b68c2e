/**
 * One HTTP/1.1 connection to an upstream, client side: writes a request, reads the response head (`response_head.ts`)
 * and then the body as its framing says (`http1_body.ts`), through one buffer owned by the connection. Body chunks
 * are handed out as copies, so the buffer is reused while the client still holds what it was given.
 *
 * @module
 */
import type { ByteConnection } from "../../../platform/tcp.ts";
import { bodyFraming, Http1Body } from "./http1_body.ts";
import { parseHead, type ResponseHead } from "./response_head.ts";

/** The upstream closed or reset the connection before a whole response head arrived. */
export class ConnectionLost extends Error {
  /** Whether any byte of a response had arrived: if not, a request on a reused connection may be sent again. */
  readonly responseStarted: boolean;
  constructor(message: string, responseStarted: boolean) {
    super(message);
    this.responseStarted = responseStarted;
  }
}

/** Longest response head accepted. */
const MAX_HEAD_BYTES = 256 * 1024;
const BUFFER_BYTES = 64 * 1024;
const latin1 = new TextDecoder("latin1");

/** See the module doc. */
export class Http1Connection {
  readonly #conn: ByteConnection;
  #buf = new Uint8Array(BUFFER_BYTES);
  #start = 0;
  #end = 0;
  /** When it went back to the pool, and how long it may idle there. */
  idleSince = 0;
  idleLimitMs = 0;
  #closed = false;
  /** The read kept waiting while the connection idles; the next fill takes it over. */
  #pending: Promise<number | null> | undefined;
  #parked = false;
  /** Something arrived while idle (a close, a reset, stray bytes): the connection cannot serve another request. */
  #stale = false;

  constructor(conn: ByteConnection) {
    this.#conn = conn;
  }

  /** Closed, or unusable since something arrived while it idled. */
  get closed(): boolean {
    return this.#closed || this.#stale;
  }

  /**
   * Parks the connection between requests: a read is kept waiting on it, so an upstream that closes or resets it, or
   * sends anything, marks it unusable before a request is written to it (hyper and undici watch idle connections the
   * same way). False, and nothing parked, when bytes of the last answer remain unread: the connection cannot be reused.
   */
  park(): boolean {
    if (this.#closed || this.#stale || this.#start !== this.#end) return false;
    this.#start = this.#end = 0;
    this.#parked = true;
    this.#conn.ref(false);
    const read = this.#conn.read(this.#buf);
    this.#pending = read;
    const arrived = () => {
      if (!this.#parked) return;
      // Closed at once rather than at the next sweep: the socket is of no more use and would hold a descriptor.
      this.#stale = true;
      this.#conn.close();
    };
    read.then(arrived, arrived);
    return true;
  }

  /** Takes the connection out of the pool for a request. */
  unpark(): void {
    this.#parked = false;
    this.#conn.ref(true);
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#conn.write(bytes);
  }

  close(): void {
    this.#closed = true;
    this.#conn.close();
  }

  /** Reads more bytes into the buffer, making room first; false at the end of the stream. */
  async #fill(): Promise<boolean> {
    if (this.#start === this.#end) this.#start = this.#end = 0;
    else if (this.#end === this.#buf.length) {
      if (this.#start > 0) {
        this.#buf.copyWithin(0, this.#start, this.#end);
        this.#end -= this.#start;
        this.#start = 0;
      } else {
        const bigger = new Uint8Array(this.#buf.length * 2);
        bigger.set(this.#buf);
        this.#buf = bigger;
      }
    }
    const pending = this.#pending;
    this.#pending = undefined;
    // A parked read fills the buffer from 0, where an empty buffer starts anyway.
    const n = await (pending ?? this.#conn.read(this.#buf.subarray(this.#end)));
    if (n === null) return false;
    this.#end += n;
    return true;
  }

  /**
   * Reads the next final response head (1xx informational heads are skipped). A 101 (ctvs never asks for an upgrade)
   * or a status above 599 is a malformed answer.
   */
  async readHead(): Promise<ResponseHead> {
    for (;;) {
      const head = await this.#readOneHead();
      const { status } = head;
      if (status < 100 || status === 101 || status > 599) throw new Error(`unexpected status from upstream: ${status}`);
      if (head.status >= 200) return head;
    }
  }

  async #readOneHead(): Promise<ResponseHead> {
    let scanned = this.#start;
    for (;;) {
      const end = findHeadEnd(this.#buf, scanned, this.#end);
      if (end >= 0) {
        const text = latin1.decode(this.#buf.subarray(this.#start, end));
        this.#start = end + 4;
        return parseHead(text);
      }
      // Where the search resumes, relative to the start: filling may move the buffered bytes.
      const resume = Math.max(0, this.#end - this.#start - 3);
      if (this.#end - this.#start > MAX_HEAD_BYTES) throw new Error("upstream response head is over 256 KiB");
      const started = this.#end > this.#start;
      let more: boolean;
      try {
        more = await this.#fill();
      } catch (err) {
        throw new ConnectionLost((err as Error).message, started);
      }
      if (!more) throw new ConnectionLost("upstream closed the connection before answering", started);
      scanned = this.#start + resume;
    }
  }

  /**
   * The body that follows `head` for a request of `method`. `done(reusable)` is called once, when the body was
   * read to its end (reusable when the framing allows another response on this connection) or abandoned.
   */
  body(head: ResponseHead, method: string, done: (reusable: boolean) => void): Http1Body | null {
    const framing = bodyFraming(head, method);
    if (framing === undefined) {
      done(head.keepAlive);
      return null;
    }
    return new Http1Body(this, framing, head.keepAlive && framing !== "close", done);
  }

  /** Buffered bytes, up to `max`, as a copy; reads more first when none are buffered. Null at the end of stream. */
  async take(max: number): Promise<Uint8Array | null> {
    if (this.#start === this.#end && !(await this.#fill())) return null;
    const n = Math.min(max, this.#end - this.#start);
    const chunk = this.#buf.slice(this.#start, this.#start + n);
    this.#start += n;
    return chunk;
  }

  /** Reads `into.byteLength` bytes into `into`; false when the stream ended first. */
  async takeInto(into: Uint8Array): Promise<boolean> {
    let at = 0;
    while (at < into.byteLength) {
      if (this.#start === this.#end && !(await this.#fill())) return false;
      const n = Math.min(into.byteLength - at, this.#end - this.#start);
      into.set(this.#buf.subarray(this.#start, this.#start + n), at);
      this.#start += n;
      at += n;
    }
    return true;
  }

  /** One CRLF-terminated line (without the CRLF), for chunk sizes and trailers. */
  async line(): Promise<string> {
    let scanned = this.#start;
    for (;;) {
      for (let i = scanned; i + 1 < this.#end; i++) {
        if (this.#buf[i] === 13 && this.#buf[i + 1] === 10) {
          const text = latin1.decode(this.#buf.subarray(this.#start, i));
          this.#start = i + 2;
          return text;
        }
      }
      const resume = Math.max(0, this.#end - this.#start - 1);
      if (this.#end - this.#start > 16 * 1024) throw new Error("malformed chunked body from upstream: line too long");
      if (!(await this.#fill())) throw new Error("upstream closed the connection inside a chunked body");
      scanned = this.#start + resume;
    }
  }
}

/** Where the blank line ending a head starts (its CRLFCRLF), searching `buf[from, to)`; -1 when not there yet. */
function findHeadEnd(buf: Uint8Array, from: number, to: number): number {
  // A plain loop: TypedArray indexOf is a runtime call that scans to the end of the buffer, past `to`.
  for (let i = from + 3; i < to; i++) {
    if (buf[i] === 10 && buf[i - 1] === 13 && buf[i - 2] === 10 && buf[i - 3] === 13) return i - 3;
  }
  return -1;
}
