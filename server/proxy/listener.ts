/**
 * The recording proxy's place in the collector: built from the `proxy` section, served on `proxy.listen`, its
 * rows written to the `proxy` signal of the shared sink and flushed when the listener stops.
 *
 * @module
 */
import path from "node:path";
import { httpListener } from "../http_listener.ts";
import type { ListenerFactory } from "../listener.ts";
import { proxyApp } from "./app.ts";
import { Recorder } from "./recorder.ts";

/** Creates the proxy listener when the config has a `proxy` section and a sink. */
export const proxyListenerFactory: ListenerFactory = {
  name: "proxy",
  keys: ["proxy", "sink", "gateway_id", "ignored_paths"],
  create({ config, sink, gatewayId, log }) {
    if (!config.proxy || !config.sink) return undefined;
    const file = path.join(sink.dir, gatewayId, "proxy", "<UTC-date>.jsonl");
    const recorder = new Recorder(sink, { log, onDropped: () => sink.health?.dropped("proxy", 1) });
    const app = proxyApp({ config: config.proxy, recorder, ignoredPaths: config.ignored_paths, log });
    return httpListener({
      listen: config.proxy.listen,
      fetch: app.fetch,
      describe: (address) => `Proxy listener bound on ${address}, recording to ${file}`,
      onStop: () => recorder.flush(),
    });
  },
};
