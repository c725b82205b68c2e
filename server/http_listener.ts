/**
 * A {@link Listener} that serves a Hono app (or any fetch handler) on a `host:port` from the config.
 *
 * @module
 */
import { parseListen } from "../platform/config/listen.ts";
import { type FetchHandler, type HttpServer, serve } from "../platform/runtime.ts";
import type { Listener } from "./listener.ts";

/** What an HTTP listener serves and how it announces itself. */
export interface HttpListenerOptions {
  /** `host:port` from the config; port 0 picks a free port. */
  listen: string;
  /** The app's fetch handler. */
  fetch: FetchHandler;
  /** The start line, given the bound address as `host:port`. */
  describe(address: string): string;
  /** Called after the server stopped, to flush what the app holds (recorders, buffers). */
  onStop?(): Promise<void>;
}

/** Builds a listener serving `options.fetch` on `options.listen`. */
export function httpListener(options: HttpListenerOptions): Listener {
  let server: HttpServer | undefined;
  let stopping: Promise<void> | undefined;
  return {
    async start() {
      const { hostname, port } = parseListen(options.listen);
      try {
        server = await serve({ hostname, port, handler: options.fetch });
      } catch (error) {
        throw namingAddress(error, options.listen);
      }
      return options.describe(formatAddress(server.hostname, server.port));
    },
    stop() {
      stopping ??= (async () => {
        await server?.shutdown();
        await options.onStop?.();
      })();
      return stopping;
    },
    abort() {
      server?.close();
    },
    address() {
      return server ? formatAddress(server.hostname, server.port) : undefined;
    },
  };
}

/** `host:port`, with IPv6 hosts in brackets. */
export function formatAddress(hostname: string, port: number): string {
  return hostname.includes(":") ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}

/**
 * The error with the address it was about, when its message does not say it (Deno's `Address already in use (os
 * error 98)`, unlike Node's `listen EADDRINUSE: address already in use 127.0.0.1:8787`); its `code` is kept.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = namingAddress(Object.assign(new Error("Address already in use (os error 98)"), { code: "EADDRINUSE" }), "127.0.0.1:8787");
 * assert.equal((error as Error).message, "Address already in use (os error 98): 127.0.0.1:8787");
 * assert.equal((error as Error & { code: string }).code, "EADDRINUSE");
 * const node = new Error("listen EADDRINUSE: address already in use 127.0.0.1:8787");
 * assert.equal(namingAddress(node, "127.0.0.1:8787"), node);
 * ```
 */
export function namingAddress(error: unknown, listen: string): unknown {
  if (!(error instanceof Error) || error.message.includes(listen)) return error;
  const named = new Error(`${error.message}: ${listen}`, { cause: error });
  return Object.assign(named, { code: (error as { code?: unknown }).code });
}
