/**
 * A response body read off its HTTP/1.1 connection as its framing says (Content-Length, chunked, or until the
 * upstream closes; RFC 9112 §6), and when a response has none.
 *
 * @module
 */
import { concatBytes } from "../../../storage/byte_buffer.ts";
import type { Http1Connection } from "./http1_connection.ts";
import type { ResponseHead } from "./response_head.ts";
import type { UpstreamBody } from "./types.ts";

/** The most a read of a body that ends when the upstream closes hands out at once. */
const CLOSE_READ_BYTES = 64 * 1024;

/** How a body ends: after this many bytes, at the last chunk, or when the upstream closes. */
export type Framing = number | "chunked" | "close";

/** The framing of the body after `head` for a request of `method`; undefined when there is no body. */
export function bodyFraming(head: ResponseHead, method: string): Framing | undefined {
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
    if (framing === "close") return (await this.#conn.take(CLOSE_READ_BYTES)) ?? this.#end(false);
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
