/**
 * One HTTP/1.1 connection to an upstream, client side: writes a request, reads the response head and then the body
 * as its framing says (Content-Length, chunked, or until the upstream closes; RFC 9112 §6), through one buffer owned
 * by the connection. Body chunks are handed out as copies, so the buffer is reused while the client still holds
 * what it was given.
 *
 * @module
 */
import type { ByteConnection } from "../../../platform/tcp.ts";
import { concatBytes } from "../../../storage/byte_buffer.ts";
import type { HeaderList, UpstreamBody } from "./types.ts";

/** A response head: status line and header fields (names lowercase, in the order received). */
export interface ResponseHead {
  status: number;
  statusText: string;
  headers: HeaderPairs;
  /** False for HTTP/1.0 or `Connection: close`: the connection ends with this response. */
  keepAlive: boolean;
  /** The upstream's idle timeout from `Keep-Alive: timeout=N`, in ms, when it sent one. */
  idleTimeoutMs?: number;
}

/** Header fields as received, read like `Headers`. */
export class HeaderPairs implements HeaderList {
  readonly pairs: [string, string][];
  constructor(pairs: [string, string][]) {
    this.pairs = pairs;
  }
  forEach(callback: (value: string, name: string) => void): void {
    for (const [name, value] of this.pairs) callback(value, name);
  }
  get(name: string): string | null {
    let joined: string | null = null;
    for (const [n, value] of this.pairs) if (n === name) joined = joined === null ? value : `${joined}, ${value}`;
    return joined;
  }
}

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

/** How a body ends: after this many bytes, at the last chunk, or when the upstream closes. */
type Framing = number | "chunked" | "close";

function bodyFraming(head: ResponseHead, method: string): Framing | undefined {
  const { status } = head;
  if (method === "HEAD" || status === 204 || status === 304 || status < 200) return undefined;
  const coding = head.headers.get("transfer-encoding");
  if (coding !== null) return /(?:^|,)\s*chunked\s*$/i.test(coding) ? "chunked" : "close";
  const length = head.headers.get("content-length");
  if (length === null) return "close";
  // Repeated identical values ("42, 42") are allowed; anything else is a malformed answer (RFC 9112 §6.3).
  const values = new Set(length.split(",").map((v) => v.trim()));
  const [only] = values;
  if (values.size !== 1 || !/^\d{1,15}$/.test(only)) {
    throw new Error(`upstream sent an invalid content-length: ${length}`);
  }
  const n = Number(only);
  return n === 0 ? undefined : n;
}

/** A response body read off its connection; see {@linkcode UpstreamBody}. */
export class Http1Body implements UpstreamBody {
  readonly #conn: Http1Connection;
  readonly #framing: Framing;
  readonly #reusable: boolean;
  readonly #done: (reusable: boolean) => void;
  /** Bytes left: of the whole body (Content-Length) or of the current chunk. */
  #left: number;
  #ended = false;

  constructor(conn: Http1Connection, framing: Framing, reusable: boolean, done: (reusable: boolean) => void) {
    this.#conn = conn;
    this.#framing = framing;
    this.#reusable = reusable;
    this.#done = done;
    this.#left = typeof framing === "number" ? framing : 0;
  }

  #end(reusable: boolean): null {
    if (!this.#ended) {
      this.#ended = true;
      this.#done(reusable);
    }
    return null;
  }

  async read(): Promise<Uint8Array | null> {
    if (this.#ended) return null;
    try {
      return await this.#read();
    } catch (err) {
      this.#end(false);
      throw err;
    }
  }

  async #read(): Promise<Uint8Array | null> {
    const framing = this.#framing;
    if (framing === "close") return (await this.#conn.take(BUFFER_BYTES)) ?? this.#end(false);
    if (framing === "chunked" && this.#left === 0) {
      const size = await this.#nextChunkSize();
      if (size === 0) return this.#end(this.#reusable);
      this.#left = size;
    }
    const chunk = await this.#conn.take(this.#left);
    if (chunk === null) throw new Error("upstream closed the connection before the end of the body");
    this.#left -= chunk.byteLength;
    if (this.#left === 0) {
      if (framing === "chunked") {
        if ((await this.#conn.line()) !== "") throw new Error("malformed chunked body from upstream");
      } else this.#end(this.#reusable);
    }
    return chunk;
  }

  /** Reads a chunk-size line (extensions ignored); at the last chunk, also the trailer section. */
  async #nextChunkSize(): Promise<number> {
    const line = await this.#conn.line();
    const hex = line.split(";", 1)[0].trim();
    if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new Error("malformed chunked body from upstream");
    const size = parseInt(hex, 16);
    if (size === 0) { while ((await this.#conn.line()) !== ""); }
    return size;
  }

  async bytes(): Promise<Uint8Array> {
    if (typeof this.#framing === "number" && !this.#ended && this.#left === this.#framing) {
      // A declared length: one array of that size, filled straight from the connection.
      const body = new Uint8Array(this.#framing);
      let complete: boolean;
      try {
        complete = await this.#conn.takeInto(body);
      } catch (err) {
        this.#end(false);
        throw err;
      }
      if (!complete) {
        this.#end(false);
        throw new Error("upstream closed the connection before the end of the body");
      }
      this.#left = 0;
      this.#end(this.#reusable);
      return body;
    }
    const chunks: Uint8Array[] = [];
    for (let chunk; (chunk = await this.read()) !== null;) chunks.push(chunk);
    return concatBytes(chunks);
  }

  cancel(): void {
    if (this.#ended) return;
    this.#conn.close();
    this.#end(false);
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

/** Version, status and a reason phrase (tab, space, visible and obs-text characters: RFC 9112 §4). */
const STATUS_LINE = /^HTTP\/1\.([01]) (\d{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\0\r\n]/;

/** Parses a response head (status line and fields, CRLF separated); throws on a malformed one. */
export function parseHead(text: string): ResponseHead {
  const lines = text.split("\r\n");
  const status = STATUS_LINE.exec(lines[0]);
  if (!status) throw new Error(`malformed response from upstream: ${JSON.stringify(lines[0].slice(0, 80))}`);
  const pairs: [string, string][] = [];
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.length === 0) continue;
    if (line[0] === " " || line[0] === "\t") {
      // An obsolete folded line continues the previous field (RFC 9112 §5.2): joined with a space.
      const folded = line.trim();
      if (pairs.length === 0 || BAD_VALUE.test(folded)) {
        throw new Error(`malformed response header from upstream: ${JSON.stringify(line.slice(0, 80))}`);
      }
      pairs[pairs.length - 1][1] += " " + folded;
      continue;
    }
    const colon = line.indexOf(":");
    const name = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    // Only what a client may pass on: a token for a name, no NUL, CR or LF in a value (RFC 9110 §5.1, §5.5).
    if (colon <= 0 || !TOKEN.test(name) || BAD_VALUE.test(value)) {
      throw new Error(`malformed response header from upstream: ${JSON.stringify(line.slice(0, 80))}`);
    }
    pairs.push([name.toLowerCase(), value]);
  }
  const headers = new HeaderPairs(pairs);
  const connection = headers.get("connection")?.toLowerCase() ?? "";
  const keepAlive = status[1] === "1" && !/(?:^|,)\s*close\s*(?:,|$)/.test(connection);
  const timeout = /(?:^|,)\s*timeout=(\d+)/i.exec(headers.get("keep-alive") ?? "");
  return {
    status: Number(status[2]),
    statusText: status[3] ?? "",
    headers,
    keepAlive,
    idleTimeoutMs: timeout ? Number(timeout[1]) * 1000 : undefined,
  };
}
