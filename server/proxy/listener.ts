/**
 * The recording proxy's place in the collector: built from the `proxy` section, served on `proxy.listen`, its
 * rows written to the `proxy` signal of the shared sink and flushed when the listener stops.
 *
 * @module
 */
import path from "node:path";
import { expandHome } from "../../platform/paths.ts";
import { httpListener } from "../http_listener.ts";
import type { ListenerFactory } from "../listener.ts";
import { proxyApp } from "./app.ts";
import { Recorder } from "./recorder.ts";

/** A gateway's default `max_record_body_bytes`: a recorded body must fit in a 16 MiB ingest batch. */
export const GATEWAY_MAX_RECORD_BODY_BYTES = 4 * 1024 * 1024;

/** Creates the proxy listener when the config has a `proxy` section and a sink. */
export const proxyListenerFactory: ListenerFactory = {
  name: "proxy",
  keys: ["proxy", "sink", "gateway_id", "ignored_paths"],
  create({ config, sink, gatewayId, spool, log }) {
    if (!config.proxy || !sink) return undefined;
    const target = spool
      ? `spooling to ${path.join(spool, "proxy")} for Central ingest`
      : `recording to ${path.join(path.resolve(expandHome(config.sink!.dir)), gatewayId, "proxy", "<UTC-date>.jsonl")}`;
    const recorder = new Recorder(sink, { log, onDropped: () => sink.health?.dropped("proxy", 1) });
    // A gateway's rows travel to Central in batches of at most 16 MiB: a body recorded whole must fit in one.
    const proxyConfig = spool
      ? { ...config.proxy, max_record_body_bytes: config.proxy.max_record_body_bytes ?? GATEWAY_MAX_RECORD_BODY_BYTES }
      : config.proxy;
    const app = proxyApp({ config: proxyConfig, recorder, ignoredPaths: config.ignored_paths, log });
    return httpListener({
      listen: config.proxy.listen,
      fetch: app.fetch,
      describe: (address) => `Proxy listener bound on ${address}, ${target}`,
      onStop: () => recorder.flush(),
    });
  },
};
