/**
 * Every listener the collector knows, in the order they start (reference §2.2: otel, proxy, then the uploader,
 * control plane, config poll and gascity as they are added).
 *
 * @module
 */
import type { Config } from "../platform/config/types.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import { gascityListenerFactory } from "./gascity/listener.ts";
import type { SessionRowsFactory } from "./gascity/types.ts";
import type { ListenerFactory } from "./listener.ts";
import { otlpListenerFactory } from "./otlp/listener.ts";
import { proxyListenerFactory } from "./proxy/listener.ts";
import { uploadListenerFactory } from "./upload/listener.ts";

/** What the listeners need from above server/ (query/'s, passed in by cli/). */
export interface ListenerDeps {
  /** The writer for a config (its query cache derives proxy days), built each time the uploader starts. */
  parquetWriterFor(config: Config): ParquetWriter;
  /** Loads the maker of `gascity_messages` rows (the transcript normalizer and the price table), when a city is configured. */
  loadGascityRows(): Promise<SessionRowsFactory>;
}

/** The listener factories in start order. */
export function listenerFactories(deps: ListenerDeps): readonly ListenerFactory[] {
  return [
    otlpListenerFactory,
    proxyListenerFactory,
    uploadListenerFactory(deps.parquetWriterFor),
    gascityListenerFactory(deps.loadGascityRows),
  ];
}
