/**
 * Every listener the collector knows, per role, in the order they start (reference §2.2: otel, proxy, upload, the
 * control plane, then gascity as it is added). This is the one place a role's listeners are listed: a new listener
 * adds itself to the roles that run it.
 *
 * - standalone: records locally (OTLP, proxy, Gas City) and archives (upload);
 * - gateway: OTLP and proxy spool to the outbox; the identity, outbox shipping and config poll are the gateway
 *   runtime's own (`gateway/gateway.ts`), not listeners;
 * - server: the control plane (identity, configs, ingest), plus local OTLP/proxy/Gas City and the upload of what it
 *   holds.
 *
 * @module
 */
import type { Config, Role } from "../platform/config/types.ts";
import type { ParquetWriter } from "../storage/upload/run_uploads.ts";
import { controlPlaneListenerFactory } from "./central/listener.ts";
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

/** The listener factories of `role` (default standalone), in start order. */
export function listenerFactories(deps: ListenerDeps, role: Role = "standalone"): readonly ListenerFactory[] {
  const upload = uploadListenerFactory(deps.parquetWriterFor);
  const gascity = gascityListenerFactory(deps.loadGascityRows);
  switch (role) {
    case "standalone":
      return [otlpListenerFactory, proxyListenerFactory, upload, gascity];
    case "gateway":
      // A gateway records no city; the gascity factory is listed so a `gascity` block says so instead of vanishing.
      return [otlpListenerFactory, proxyListenerFactory, gascity];
    case "server":
      return [otlpListenerFactory, proxyListenerFactory, upload, controlPlaneListenerFactory, gascity];
  }
}
