/**
 * What forwarding asks of an upstream client, whichever one it is: the HTTP/1.1 client over the runtime's sockets
 * (the default) or the runtime's `fetch` (behind an HTTP proxy, and in tests that inject one).
 *
 * @module
 */

/** One request to send upstream. */
export interface UpstreamRequest {
  /** The upstream's origin (scheme, host, port). */
  origin: URL;
  /** The client's path and query, sent as they are. */
  path: string;
  method: string;
  /** Sent as given (names lowercase), after `host`; the client adds the body's framing. */
  headers: readonly [string, string][];
  /** Bytes are sent with a Content-Length, a stream chunked. */
  body: Uint8Array | ReadableStream<Uint8Array> | null;
  /** The client's signal: once aborted, the upstream request is dropped. */
  signal: AbortSignal;
}

/** Response headers, read-only: `Headers` is one. Names are lowercase. */
export interface HeaderList {
  forEach(callback: (value: string, name: string) => void): void;
  /** Every value of `name` joined by `, `, or null. */
  get(name: string): string | null;
}

/** A response body, read by exactly one of its methods. */
export interface UpstreamBody {
  /** The next chunk, a fresh array the caller may keep; null at the end. Rejects when the upstream failed. */
  read(): Promise<Uint8Array | null>;
  /** The whole body (for a short one). */
  bytes(): Promise<Uint8Array>;
  /** Stops reading; the connection is dropped. Never throws. */
  cancel(): void;
}

/** The upstream's answer. */
export interface UpstreamResponse {
  status: number;
  statusText: string;
  headers: HeaderList;
  /**
   * True when the client already undid the body's content-encoding (fetch does), so `content-encoding` and
   * `content-length` no longer describe the bytes.
   */
  decoded: boolean;
  /** Null when the answer has no body (HEAD, 204, 304). */
  body: UpstreamBody | null;
}

/** Sends requests upstream. Rejects when the upstream cannot be reached, with the reason as the message. */
export interface UpstreamClient {
  request(request: UpstreamRequest): Promise<UpstreamResponse>;
}
