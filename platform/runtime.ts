/**
 * The runtime adapter: with `platform/tcp.ts` (outgoing sockets), the only code that knows Deno from Node. Everything
 * else uses web standards and `node:` builtins, so the npm build is a bundle of the same sources rather than a port.
 *
 * @module
 */
import process from "node:process";

// deno-lint-ignore no-explicit-any
const deno: any = (globalThis as any).Deno;

/**
 * True when running under Deno (`deno run`, `deno test`, a compiled binary); false under Node. Told by
 * `Deno.version`, not `Deno.serve`: reading `Deno.serve` loads Deno's HTTP server code, which a query process never
 * uses.
 */
export const isDeno: boolean = typeof deno?.version?.deno === "string";

/** The user's command-line arguments, without the runtime and script paths. */
export function args(): string[] {
  return isDeno ? [...deno.args] : process.argv.slice(2);
}

/** Ends the process with `code`. */
export function exit(code: number): never {
  return process.exit(code) as never;
}

/** A request handler in web-standard form: the shape Hono's `app.fetch` has. */
export type FetchHandler = (request: Request) => Response | Promise<Response>;

/** Where and what to serve. */
export interface ServeOptions {
  hostname: string;
  port: number;
  handler: FetchHandler;
}

/** A bound HTTP listener. */
export interface HttpServer {
  /** The address actually bound (the real port when 0 was asked for). */
  readonly hostname: string;
  readonly port: number;
  /** Stops accepting connections and resolves once in-flight requests (streamed bodies included) are done. */
  shutdown(): Promise<void>;
  /** Drops whatever connections remain; for use after a drain deadline. */
  close(): void;
}

/**
 * Binds `hostname:port` and serves `handler`. Rejects when the address cannot be bound, with the system error
 * (its `code` is `EADDRINUSE`, `EACCES`, ...), so the runner can say which listener failed and why.
 */
export function serve(options: ServeOptions): Promise<HttpServer> {
  return isDeno ? serveDeno(options) : serveNode(options);
}

function serveDeno(options: ServeOptions): Promise<HttpServer> {
  return new Promise((resolve, reject) => {
    try {
      const server = deno.serve({
        hostname: options.hostname,
        port: options.port,
        onListen() {},
        onError(error: unknown) {
          // Hono answers handler errors itself; what reaches here is mostly a response body that failed mid-stream
          // (an upstream reset), which the listener has already recorded. One line, worded for an operator.
          console.error(`warning: a response failed mid-stream: ${errorMessage(error)}`);
          return new Response("internal error", { status: 500 });
        },
      }, options.handler);
      let shuttingDown: Promise<void> | undefined;
      resolve({
        hostname: server.addr.hostname,
        port: server.addr.port,
        shutdown() {
          shuttingDown ??= server.shutdown();
          return shuttingDown!;
        },
        close() {
          // Deno has no forced close of open connections (aborting the serve signal after shutdown() began throws
          // from inside an event listener). After a drain deadline the process exits, which closes them.
        },
      });
    } catch (error) {
      reject(withCode(error));
    }
  });
}

async function serveNode(options: ServeOptions): Promise<HttpServer> {
  const { serve: nodeServe } = await import("@hono/node-server");
  return new Promise((resolve, reject) => {
    const server = nodeServe({ fetch: options.handler, hostname: options.hostname, port: options.port });
    const onError = (error: Error) => reject(error);
    server.once("error", onError);
    server.once("listening", () => {
      server.off("error", onError);
      server.on("error", (error: Error) => console.error(`error: listener ${options.hostname}: ${error.message}`));
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : options.port;
      let shuttingDown: Promise<void> | undefined;
      resolve({
        hostname: options.hostname,
        port,
        shutdown() {
          shuttingDown ??= new Promise<void>((done) => {
            server.close(() => done());
            // deno-lint-ignore no-explicit-any
            (server as any).closeIdleConnections?.();
          });
          return shuttingDown;
        },
        close() {
          // deno-lint-ignore no-explicit-any
          (server as any).closeAllConnections?.();
        },
      });
    });
  });
}

/** Lets the process exit while `timer` (from setTimeout or setInterval) is the only thing pending. */
export function unrefTimer(timer: unknown): void {
  // Deno returns a number and unrefs it by id; Node returns a Timeout object.
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
  else (timer as { unref?(): void } | undefined)?.unref?.();
}

/** A lock file held open, whose exclusive kernel lock (flock) is taken and released with one system call each. */
export interface KernelLockFile {
  /** Waits for the exclusive lock. */
  lock(): Promise<void>;
  unlock(): Promise<void>;
  close(): void;
}

/**
 * Opens (creating, 0600) `path` for a kernel lock, or resolves undefined where the runtime has none (Node has no
 * flock). The kernel releases the lock when the process dies, so a crash never leaves it held.
 */
export async function openKernelLockFile(path: string): Promise<KernelLockFile | undefined> {
  if (!isDeno) return undefined;
  const file = await deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
  return { lock: () => file.lock(true), unlock: () => file.unlock(), close: () => file.close() };
}

/** The signals the runner reacts to. */
export type Signal = "SIGINT" | "SIGTERM" | "SIGHUP";

/**
 * Calls `handler` each time the process receives `signal`; returns a function that removes it.
 * SIGHUP does not exist on Windows: there the call is a no-op.
 */
export function onSignal(signal: Signal, handler: () => void): () => void {
  if (process.platform === "win32" && signal === "SIGHUP") return () => {};
  if (isDeno) {
    deno.addSignalListener(signal, handler);
    return () => deno.removeSignalListener(signal, handler);
  }
  process.on(signal, handler);
  return () => process.off(signal, handler);
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Deno's errors carry the errno name in `code` only for some classes; give AddrInUse & co. a Node-style code. */
function withCode(error: unknown): unknown {
  if (error instanceof Error && !("code" in error)) {
    const codes: Record<string, string> = {
      AddrInUse: "EADDRINUSE",
      PermissionDenied: "EACCES",
      AddrNotAvailable: "EADDRNOTAVAIL",
    };
    const code = codes[error.name];
    if (code) Object.assign(error, { code });
  }
  return error;
}

/**
 * Calls `handler` for an error nothing caught (an uncaught exception or an unhandled promise rejection), instead
 * of the runtime's default crash report, so the CLI can print `fatal: <msg>` and exit 1.
 */
export function onUncaught(handler: (error: unknown) => void): void {
  if (isDeno) {
    globalThis.addEventListener("unhandledrejection", (event) => {
      event.preventDefault();
      handler(event.reason);
    });
    globalThis.addEventListener("error", (event) => {
      event.preventDefault();
      handler(event.error);
    });
    return;
  }
  process.on("unhandledRejection", handler);
  process.on("uncaughtException", handler);
}
