/**
 * Every listener the collector knows, in the order they start (reference §2.2: otel, proxy, then the uploader,
 * control plane, config poll and gascity as they are added).
 *
 * @module
 */
import type { ListenerFactory } from "./listener.ts";
import { otlpListenerFactory } from "./otlp/listener.ts";
import { proxyListenerFactory } from "./proxy/listener.ts";
import { uploadListenerFactory } from "./upload/listener.ts";

/** The listener factories in start order. */
export const LISTENER_FACTORIES: readonly ListenerFactory[] = [
  otlpListenerFactory,
  proxyListenerFactory,
  uploadListenerFactory,
];
