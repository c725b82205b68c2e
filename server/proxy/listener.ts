/**
 * The recording proxy's place in the collector: built from the `proxy` section, served on `proxy.listen`.
 *
 * @module
 */
import path from "node:path";
import { httpListener } from "../http_listener.ts";
import type { ListenerFactory } from "../listener.ts";
import { proxyApp } from "./app.ts";

/** Creates the proxy listener when the config has a `proxy` section. */
export const proxyListenerFactory: ListenerFactory = {
  name: "proxy",
  keys: ["proxy", "sink", "gateway_id", "ignored_paths"],
  create({ config, sink, gatewayId }) {
    if (!config.proxy || !config.sink) return undefined;
    const file = path.join(sink.dir, gatewayId, "proxy", "<UTC-date>.jsonl");
    return httpListener({
      listen: config.proxy.listen,
      fetch: proxyApp(config.proxy).fetch,
      describe: (address) => `Proxy listener bound on ${address}, recording to ${file}`,
    });
  },
};
