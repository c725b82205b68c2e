/**
 * The rendezvous service as a listener: its API on one address, its store under one data directory, and the sweep of
 * expired invites every 60 s (and once at start).
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import { errorMessage, unrefTimer } from "../../platform/runtime.ts";
import { httpListener } from "../http_listener.ts";
import type { Listener } from "../listener.ts";
import { rendezvousApp } from "./app.ts";
import { InviteStore } from "./invite_store.ts";

/** How often expired invites are swept. */
export const SWEEP_INTERVAL_MS = 60_000;

/** What the service runs with. */
export interface RendezvousServiceOptions {
  /** `host:port`. */
  listen: string;
  /** Where `invites.json` lives (created 0700). */
  dataDir: string;
  registrationToken: string;
  log(line: string): void;
  /** Resolves per client IP (default 30 a minute). */
  resolveLimit?: { limit: number; windowMs: number };
}

/** The listener, and its store. */
export function rendezvousService(options: RendezvousServiceOptions): Listener & { store: InviteStore } {
  const store = new InviteStore(options.dataDir, options.registrationToken);
  const app = rendezvousApp({
    store,
    registrationToken: options.registrationToken,
    resolveLimit: options.resolveLimit,
    log: options.log,
  });
  const http = httpListener({
    listen: options.listen,
    fetch: app.fetch,
    describe: (address) => `Rendezvous listener bound on ${address} (store ${store.path})`,
  });
  let timer: ReturnType<typeof setInterval> | undefined;
  const sweep = async () => {
    try {
      await store.sweep();
    } catch (error) {
      options.log(`warning: rendezvous sweep failed: ${errorMessage(error)}`);
    }
  };
  return {
    store,
    async start() {
      await mkdir(options.dataDir, { recursive: true, mode: 0o700 });
      // A store that cannot be read fails the start, not the first request.
      await store.list();
      const line = await http.start();
      await sweep();
      timer = setInterval(sweep, SWEEP_INTERVAL_MS);
      unrefTimer(timer);
      return line;
    },
    async stop() {
      clearInterval(timer);
      await http.stop();
    },
    abort: () => http.abort(),
    address: () => http.address?.(),
  };
}
