/**
 * The control plane's place in the collector (role `"server"`): served on `server.control_plane_listen`, it prints
 * `Control-plane listener bound on H:P` and, when it stops, finishes the ingest writes in flight.
 *
 * @module
 */
import { httpListener } from "../http_listener.ts";
import type { ListenerFactory } from "../listener.ts";
import { centralApp } from "./app.ts";
import { centralContext } from "./context.ts";

/** Creates the control-plane listener when the config has a `server` block. */
export const controlPlaneListenerFactory: ListenerFactory = {
  name: "server",
  keys: ["server", "role"],
  create({ config, log }) {
    if (config.role !== "server" || !config.server) return undefined;
    const context = centralContext(config.server, log);
    return httpListener({
      listen: config.server.control_plane_listen,
      fetch: centralApp(context).fetch,
      describe: (address) => `Control-plane listener bound on ${address}`,
      onStop: () => context.store.close(),
    });
  },
};
