/**
 * The receiver's settings, resolved once from the config with their defaults in one place.
 *
 * @module
 */
import type { Config } from "../../platform/config/types.ts";
import type { RowSink } from "../../storage/row_sink.ts";
import type { ExportOptions } from "./export_handler.ts";

/** `otel.max_body_bytes` when the config leaves it out: 20 MiB, the OTLP spec's recommendation. */
export const DEFAULT_MAX_BODY_BYTES = 20 * 1024 * 1024;

/**
 * The handlers' options for `config`: the body limit (decompressed), and whether raw envelopes are kept (always,
 * except on a gateway, whose outbox ships normalized rows only).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { otlpOptions } from "./options.ts";
 * import type { RowSink } from "../../storage/row_sink.ts";
 *
 * const sink = {} as RowSink;
 * const options = otlpOptions({ version: 1, otel: { listen: "127.0.0.1:4318" } }, sink);
 * assert.equal(options.maxBodyBytes, 20971520);
 * assert.equal(options.keepRaw, true);
 * ```
 */
export function otlpOptions(config: Config, sink: RowSink): ExportOptions {
  return {
    sink,
    maxBodyBytes: config.otel?.max_body_bytes ?? DEFAULT_MAX_BODY_BYTES,
    keepRaw: config.role !== "gateway",
  };
}
