/**
 * collectivus as a library: `import { Collector } from "collectivus"` (npm) or from this module (Deno). Runs the
 * OTLP/HTTP receiver and the recording LLM proxy of `ctvs` inside your program; see docs/api.md.
 *
 * @example
 * ```ts
 * import { Collector } from "./mod.ts";
 * const collector = new Collector({ otel: {}, sink: { dir: "./recordings" } });
 * // const { otel } = await collector.start(); ... await collector.stop();
 * ```
 *
 * @module
 */
export { Collector } from "./api/collector.ts";
export type {
  CollectorOptions,
  CollectorUrls,
  OtlpOptions,
  ProxyOptions,
  ProxyUpstream,
  Row,
  RowHook,
  RowSignal,
  SinkOptions,
  StopResult,
} from "./api/types.ts";
export { VERSION } from "./platform/version.ts";
