/**
 * The OTLP/HTTP receiver's place in the collector: built from the `otel` section, served on `otel.listen`, writing
 * through the collector's sink.
 *
 * @module
 */
import path from "node:path";
import { httpListener } from "../http_listener.ts";
import type { ListenerFactory } from "../listener.ts";
import { otlpApp } from "./app.ts";
import { otlpOptions } from "./options.ts";

/** Creates the OTLP listener when the config has an `otel` section. */
export const otlpListenerFactory: ListenerFactory = {
  name: "otel",
  keys: ["otel", "sink", "gateway_id", "role"],
  create({ config, sink, gatewayId, spool, log }) {
    if (!config.otel || !sink) return undefined;
    const target = spool
      ? `spooling to ${path.join(spool, "<signal>")} for Central ingest`
      : `writing to ${path.join(config.sink!.dir, gatewayId, "<signal>", "<UTC-date>.jsonl")}`;
    return httpListener({
      listen: config.otel.listen,
      fetch: otlpApp({ ...otlpOptions(config, sink), log }).fetch,
      describe: (address) => `OTLP listener bound on ${address}, ${target}`,
    });
  },
};
