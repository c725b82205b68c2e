/**
 * The proxy's default upstream client: HTTP/1.1 over the runtime's TCP and TLS sockets, with a pool of keep-alive
 * connections per origin. It forwards the client's headers as they are (no `accept-encoding` or `user-agent` of its
 * own, unlike fetch) and hands the response body back as received, compressed or not, so the client gets the
 * upstream's bytes. It costs far less per exchange than the runtime's `fetch` (about a third on Deno).
 *
 * Idle connections are watched, so one the upstream closed is dropped before a request is written to it, and
 * dropped after {@linkcode IDLE_MS}, or sooner when the upstream's `Keep-Alive: timeout` says so. A request that
 * still meets a closed connection (no byte of answer) is sent again on a new one only when that is safe: an
 * idempotent method with a body that can be replayed. A POST is never sent twice.
 *
 * @module
 */
import { unrefTimer } from "../../../platform/runtime.ts";
import { concatBytes } from "../../../storage/byte_buffer.ts";
import { connect as tcpConnect, type ConnectOptions } from "../../../platform/tcp.ts";
import type { Http1Body } from "./http1_body.ts";
import { ConnectionLost, Http1Connection } from "./http1_connection.ts";
import type { ResponseHead } from "./response_head.ts";
import type { UpstreamClient, UpstreamRequest, UpstreamResponse } from "./types.ts";

/** How long a connection may idle in the pool (below the common 5 s server keep-alive). */
export const IDLE_MS = 4000;

/** Request bodies up to this size go out in the same write as the head. */
const ONE_WRITE_BYTES = 64 * 1024;
const encoder = new TextEncoder();
const METHODS_WITH_BODY = new Set(["POST", "PUT", "PATCH"]);
/** Methods a request of which may be sent again (RFC 9110 §9.2.2): a POST is never sent twice. */
const IDEMPOTENT = new Set(["GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"]);

/** Options of an {@linkcode Http1Client}; tests shorten the idle time or count connections. */
export interface Http1ClientOptions {
  idleMs?: number;
  connect?: typeof tcpConnect;
}

/** See the module doc. */
export class Http1Client implements UpstreamClient {
  readonly #idle = new Map<string, Http1Connection[]>();
  readonly #idleMs: number;
  readonly #connect: typeof tcpConnect;
  #sweeping = false;

  constructor(options: Http1ClientOptions = {}) {
    this.#idleMs = options.idleMs ?? IDLE_MS;
    this.#connect = options.connect ?? tcpConnect;
  }

  /** Idle connections in the pool, all origins. */
  get idleConnections(): number {
    let n = 0;
    for (const list of this.#idle.values()) n += list.length;
    return n;
  }

  async request(request: UpstreamRequest): Promise<UpstreamResponse> {
    const { origin, signal } = request;
    const key = origin.origin;
    const head = this.#head(request);
    for (let attempt = 0;; attempt++) {
      if (signal.aborted) throw new Error("client_aborted");
      const pooled = attempt === 0 ? this.#checkout(key) : undefined;
      const conn = pooled ?? await this.#open(origin, signal);
      // A client that leaves drops the connection, which ends any read or write waiting on it.
      const drop = () => conn.close();
      signal.addEventListener("abort", drop);
      // The connection can serve another request only once this one was sent whole: an upstream may answer (413,
      // say) before it read a long body.
      let sent = false;
      let response: ResponseHead;
      let body: Http1Body | null;
      try {
        // The client may have left while the connection was being opened.
        if (signal.aborted) throw new Error("client_aborted");
        this.#send(conn, head, request.body).then(() => sent = true, drop);
        response = await conn.readHead();
        body = conn.body(response, request.method, (reusable) => {
          signal.removeEventListener("abort", drop);
          if (reusable && sent && !signal.aborted) this.#release(key, conn, response.idleTimeoutMs);
          else conn.close();
        });
      } catch (err) {
        signal.removeEventListener("abort", drop);
        conn.close();
        if (pooled && mayResend(request, err)) continue;
        throw err;
      }
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        decoded: false,
        body,
      };
    }
  }

  /**
   * A new connection to `origin`; a client that leaves meanwhile stops the connect. The connect gets a signal of its
   * own, aborted only while connecting: the runtime may hold it for the connection's life, which may serve others.
   */
  async #open(origin: URL, clientGone: AbortSignal): Promise<Http1Connection> {
    const connecting = new AbortController();
    const stop = () => connecting.abort();
    clientGone.addEventListener("abort", stop);
    try {
      return new Http1Connection(await this.#connect({ ...connectOptions(origin), signal: connecting.signal }));
    } finally {
      clientGone.removeEventListener("abort", stop);
    }
  }

  /** The request line, `host` and the client's headers, with the body's framing. */
  #head({ origin, path, method, headers, body }: UpstreamRequest): string {
    let head = `${method} ${path} HTTP/1.1\r\nhost: ${origin.host}\r\n`;
    for (const [name, value] of headers) head += `${name}: ${value}\r\n`;
    if (body instanceof ReadableStream) head += "transfer-encoding: chunked\r\n";
    else if (body) head += `content-length: ${body.byteLength}\r\n`;
    // As fetch does: a method that carries a body says it is empty.
    else if (METHODS_WITH_BODY.has(method)) head += "content-length: 0\r\n";
    return head + "\r\n";
  }

  async #send(conn: Http1Connection, head: string, body: UpstreamRequest["body"]): Promise<void> {
    const headBytes = byteString(head);
    if (body instanceof ReadableStream) {
      await conn.write(headBytes);
      const reader = body.getReader();
      try {
        for (let r; !(r = await reader.read()).done;) {
          if (r.value.byteLength === 0) continue;
          await conn.write(concatBytes([encoder.encode(`${r.value.byteLength.toString(16)}\r\n`), r.value, CRLF]));
        }
      } catch (err) {
        reader.cancel(err).catch(() => {});
        throw err;
      }
      await conn.write(LAST_CHUNK);
    } else if (body && body.byteLength > ONE_WRITE_BYTES) {
      await conn.write(headBytes);
      await conn.write(body);
    } else {
      await conn.write(body ? concatBytes([headBytes, body]) : headBytes);
    }
  }

  #checkout(key: string): Http1Connection | undefined {
    const list = this.#idle.get(key);
    const now = Date.now();
    while (list?.length) {
      const conn = list.pop()!;
      if (!conn.closed && now - conn.idleSince < conn.idleLimitMs) {
        conn.unpark();
        return conn;
      }
      conn.close();
    }
    return undefined;
  }

  #release(key: string, conn: Http1Connection, upstreamIdleMs: number | undefined): void {
    conn.idleSince = Date.now();
    // Leave a second of margin under the upstream's own timeout, so it is not closing while a request is sent.
    conn.idleLimitMs = upstreamIdleMs === undefined ? this.#idleMs : Math.min(this.#idleMs, upstreamIdleMs - 1000);
    if (conn.idleLimitMs <= 0 || !conn.park()) return conn.close();
    let list = this.#idle.get(key);
    if (!list) this.#idle.set(key, list = []);
    list.push(conn);
    this.#scheduleSweep();
  }

  /** Closes connections that idled past their limit, so no socket lingers after traffic stops. */
  #scheduleSweep(): void {
    if (this.#sweeping) return;
    this.#sweeping = true;
    const timer = setTimeout(() => {
      this.#sweeping = false;
      const now = Date.now();
      for (const [key, list] of this.#idle) {
        const live = list.filter((conn) => {
          const keep = !conn.closed && now - conn.idleSince < conn.idleLimitMs;
          if (!keep) conn.close();
          return keep;
        });
        if (live.length) this.#idle.set(key, live);
        else this.#idle.delete(key);
      }
      if (this.#idle.size) this.#scheduleSweep();
    }, this.#idleMs);
    unrefTimer(timer);
  }

  /** Closes every idle connection (at shutdown). */
  close(): void {
    for (const list of this.#idle.values()) for (const conn of list) conn.close();
    this.#idle.clear();
  }
}

/**
 * Whether a request that failed on a pooled connection may go out again on a new one: the upstream closed or reset
 * the connection before any byte of answer, the method is idempotent and the body can be sent again. Idle connections
 * are watched (`park`), so a closed one is usually noticed before a request is written to it; this covers the race.
 */
function mayResend(request: UpstreamRequest, err: unknown): boolean {
  return err instanceof ConnectionLost && !err.responseStarted && IDEMPOTENT.has(request.method) &&
    !(request.body instanceof ReadableStream);
}

const CRLF = new Uint8Array([13, 10]);
const LAST_CHUNK = encoder.encode("0\r\n\r\n");

function connectOptions(url: URL): ConnectOptions {
  const tls = url.protocol === "https:";
  // URL keeps IPv6 literals bracketed; sockets want them bare.
  const hostname = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
  return { hostname, port: url.port ? Number(url.port) : tls ? 443 : 80, tls };
}

/** The head's bytes: header values are byte strings (one char per byte), which UTF-8 would alter above 0x7f. */
function byteString(text: string): Uint8Array {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return encoder.encode(text);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}
