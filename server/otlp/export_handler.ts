/**
 * The handler of `POST /v1/{traces,metrics,logs}`, one straight line as in the OpenTelemetry Collector: method
 * (405) -> content type (415) -> body within the limit (413) -> decode (400) -> write (503) -> 200. Every failure
 * is an `OtlpError` thrown where it is found; the app answers it in the request's encoding.
 *
 * @module
 */
import { ByteBuffer } from "../../storage/byte_buffer.ts";
import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import type { RowSink } from "../../storage/row_sink.ts";
import { readBody } from "../read_body.ts";
import { Slots } from "../slots.ts";
import { encodeRequest } from "./encode_request.ts";
import { requestEncoding } from "./media.ts";
import { fromBodyError, OtlpError } from "./otlp_error.ts";
import { successResponse } from "./respond.ts";
import type { Signal } from "./signals.ts";
import { writeRows } from "./write_rows.ts";

/** What the handlers share. */
export interface ExportOptions {
  /** Where rows and raw envelopes go. */
  sink: RowSink;
  /** The largest body accepted, after decompression. */
  maxBodyBytes: number;
  /** Whether request envelopes are kept under `raw/` (not on a gateway, whose outbox ships rows only). */
  keepRaw: boolean;
  /** How many requests are read, decoded and written at once; the others wait, their bodies unread. */
  concurrency?: number;
}

/** The default of {@link ExportOptions.concurrency}: one request decodes while another waits for the disk. */
export const DEFAULT_CONCURRENCY = 2;

/** A slot's buffers are cut back to their first size after a request that grew one past this (a huge body). */
const KEEP_BUFFER_BYTES = 8 * 1024 * 1024;

/**
 * What a slot lends the request holding it, reused request after request: a buffer for its body, and buffers for
 * its raw line and its rows. A request in flight is these bytes, outside the JavaScript heap, not strings and
 * objects that would live long enough to grow it.
 */
export interface SlotBuffers {
  body: ByteBuffer;
  raw: JsonlBytes;
  rows: JsonlBytes;
}

/** The slots the handlers share: a few requests at once, each with its slot's buffers. */
export function exportSlots(concurrency = DEFAULT_CONCURRENCY): Slots<SlotBuffers> {
  return new Slots(concurrency, () => ({ body: new ByteBuffer(), raw: new JsonlBytes(), rows: new JsonlBytes() }));
}

/** Builds the handler of `signal`'s export requests; handlers given the same `slots` share them. */
export function exportHandler(
  signal: Signal,
  options: ExportOptions,
  slots: Slots<SlotBuffers> = exportSlots(options.concurrency),
): (request: Request) => Promise<Response> {
  return async function handleExport(request: Request): Promise<Response> {
    if (request.method !== "POST") throw new OtlpError("method_not_allowed", "Method not allowed");
    const encoding = requestEncoding(request.headers.get("content-type"));
    const warning = await slots.run(async ({ body, raw, rows }) => {
      try {
        const bytes = await readBody(request, options.maxBodyBytes, body).catch((error) => {
          throw fromBodyError(error);
        });
        // Synchronous: the request's objects are garbage before the write waits for the disk.
        const encoded = encodeRequest(signal, encoding, bytes, { raw: options.keepRaw ? raw : undefined, rows });
        await writeRows(options.sink, signal, rows.bytes(), raw.byteLength > 0 ? raw.bytes() : undefined);
        return encoded.warning;
      } finally {
        body.clear(KEEP_BUFFER_BYTES);
        raw.clear(KEEP_BUFFER_BYTES);
        rows.clear(KEEP_BUFFER_BYTES);
      }
    });
    return successResponse(signal.response(warning), encoding);
  };
}
