/**
 * Outgoing TCP and TLS connections as plain byte pipes, on Deno and on Node: what the proxy's HTTP/1.1 upstream
 * client is written against. Reads fill a caller's buffer (Deno's own read style), so a reader that copies what it
 * needs can reuse one buffer per connection.
 *
 * @module
 */
import net from "node:net";
import tls from "node:tls";
import { isDeno } from "./runtime.ts";

// deno-lint-ignore no-explicit-any
const deno: any = (globalThis as any).Deno;

/** Where to connect. */
export interface ConnectOptions {
  hostname: string;
  port: number;
  /** TLS with certificate checks against the runtime's root store; the server name is `hostname`. */
  tls: boolean;
  /** Gives up connecting when aborted (the connection is closed if it opened meanwhile). */
  signal?: AbortSignal;
}

/** An open connection. */
export interface ByteConnection {
  /** Reads into `into`: the number of bytes read, or null at the end of the stream. Throws on a reset. */
  read(into: Uint8Array): Promise<number | null>;
  /** Writes all of `bytes`; resolves once the runtime took them (backpressure reaches the caller). */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes the connection; pending and later reads and writes fail or end. Never throws. */
  close(): void;
  /** Whether the connection, and a read pending on it, keeps the process alive (true at first). */
  ref(keep: boolean): void;
}

/** Opens a connection; rejects with the system's message (refused, DNS, TLS). */
export function connect(options: ConnectOptions): Promise<ByteConnection> {
  return isDeno ? connectDeno(options) : connectNode(options);
}

async function connectDeno(options: ConnectOptions): Promise<ByteConnection> {
  const { hostname, port, signal } = options;
  // HTTP/1.1 only: the client speaks nothing else, so a server must not pick h2. Deno's connectTls returns before the
  // handshake, so it needs no signal: a stalled handshake ends when the caller closes the connection.
  const conn = options.tls
    ? await deno.connectTls({ hostname, port, alpnProtocols: ["http/1.1"] })
    : await deno.connect({ hostname, port, signal });
  if (signal?.aborted) {
    conn.close();
    throw new Error("connect aborted");
  }
  if (!options.tls) conn.setNoDelay(true);
  let closed = false;
  return {
    read: (into) => conn.read(into),
    ref(keep) {
      if (keep) conn.ref();
      else conn.unref();
    },
    async write(bytes) {
      for (let at = 0; at < bytes.byteLength;) at += await conn.write(at === 0 ? bytes : bytes.subarray(at));
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch {
        // already closed by the peer
      }
    },
  };
}

/** A Node socket read through a queue, paused above this many bytes so a slow reader holds the peer back. */
const NODE_QUEUE_BYTES = 256 * 1024;

function connectNode(options: ConnectOptions): Promise<ByteConnection> {
  const { hostname, port, signal } = options;
  const socket: net.Socket = options.tls
    ? tls.connect({
      host: hostname,
      port,
      servername: net.isIP(hostname) ? undefined : hostname,
      ALPNProtocols: ["http/1.1"],
    })
    : net.connect({ host: hostname, port, noDelay: true });
  const queue: Uint8Array[] = [];
  let queued = 0;
  let ended = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  socket.on("data", (chunk: Uint8Array) => {
    queue.push(chunk);
    queued += chunk.byteLength;
    if (queued > NODE_QUEUE_BYTES) socket.pause();
    notify();
  });
  socket.on("end", () => (ended = true, notify()));
  socket.on("close", () => (ended = true, notify()));
  const connection: ByteConnection = {
    async read(into) {
      while (queue.length === 0) {
        if (failure) throw failure;
        if (ended) return null;
        await new Promise<void>((resolve) => (wake = resolve));
      }
      let n = 0;
      while (queue.length > 0 && n < into.byteLength) {
        const head = queue[0];
        const take = Math.min(head.byteLength, into.byteLength - n);
        into.set(take === head.byteLength ? head : head.subarray(0, take), n);
        n += take;
        if (take === head.byteLength) queue.shift();
        else queue[0] = head.subarray(take);
      }
      queued -= n;
      if (queued <= NODE_QUEUE_BYTES && socket.isPaused()) socket.resume();
      return n;
    },
    write(bytes) {
      return new Promise((resolve, reject) => socket.write(bytes, (err) => err ? reject(err) : resolve()));
    },
    close() {
      socket.destroy();
    },
    ref(keep) {
      if (keep) socket.ref();
      else socket.unref();
    },
  };
  // Until connected (and through the TLS handshake), an abort destroys the socket, which rejects below.
  const giveUp = () => socket.destroy(new Error("connect aborted"));
  if (signal?.aborted) giveUp();
  else signal?.addEventListener("abort", giveUp);
  return new Promise((resolve, reject) => {
    socket.once(options.tls ? "secureConnect" : "connect", () => {
      signal?.removeEventListener("abort", giveUp);
      resolve(connection);
    });
    socket.on("error", (err) => {
      signal?.removeEventListener("abort", giveUp);
      failure = err;
      notify();
      reject(err);
    });
  });
}
