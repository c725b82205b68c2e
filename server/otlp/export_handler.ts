/**
 * The handler of `POST /v1/{traces,metrics,logs}`, one straight line as in the OpenTelemetry Collector: method
 * (405) -> content type (415) -> body within the limit (413) -> decode (400) -> write (503) -> 200. Every failure
 * is an `OtlpError` thrown where it is found; the app answers it in the request's encoding.
 *
 * @module
 */
import type { JsonlSink } from "../../storage/jsonl_sink.ts";
import { decodeBody } from "./decode_body.ts";
import { type Encoding, requestEncoding } from "./media.ts";
import { OtlpError } from "./otlp_error.ts";
import { readBody } from "./read_body.ts";
import { successResponse } from "./respond.ts";
import type { Signal } from "./signals.ts";
import { Slots } from "./slots.ts";
import { writeRows } from "./write_rows.ts";

/** What the handlers share. */
export interface ExportOptions {
  /** Where rows and raw envelopes go. */
  sink: JsonlSink;
  /** The largest body accepted, after decompression. */
  maxBodyBytes: number;
  /** Whether request envelopes are kept under `raw/` (not on a gateway, whose outbox ships rows only). */
  keepRaw: boolean;
  /** How many requests are read, decoded and written at once; the others wait, their bodies unread. */
  concurrency?: number;
}

/** The default of {@link ExportOptions.concurrency}: one request decodes while another waits for the disk. */
export const DEFAULT_CONCURRENCY = 2;

/** Builds the handler of `signal`'s export requests; handlers given the same `slots` share them. */
export function exportHandler(
  signal: Signal,
  options: ExportOptions,
  slots = new Slots(options.concurrency ?? DEFAULT_CONCURRENCY),
): (request: Request) => Promise<Response> {
  return async function handleExport(request: Request): Promise<Response> {
    if (request.method !== "POST") throw new OtlpError("method_not_allowed", "Method not allowed");
    const encoding = requestEncoding(request.headers.get("content-type"));
    const warning = await slots.run(async () => {
      const bytes = await readBody(request, options.maxBodyBytes);
      const { lines, rawLine, warning } = decodeRequest(signal, encoding, bytes);
      await writeRows(options.sink, signal, lines, options.keepRaw ? rawLine : undefined);
      return warning;
    });
    return successResponse(signal.response(warning), encoding);
  };
}

/** A decoded request: the lines to write, and what the answer says. */
interface DecodedRequest {
  /** One JSON line per row. */
  lines: string[];
  rawLine: string | undefined;
  warning: string | undefined;
}

/**
 * Decodes and normalizes a body, synchronously, keeping only what the write and the answer need. Each row is
 * serialized as soon as it is made, and the request's objects are garbage before the handler waits for the disk:
 * short-lived objects are cheap to collect, and concurrent requests do not pile them up.
 */
function decodeRequest(signal: Signal, encoding: Encoding, bytes: Uint8Array): DecodedRequest {
  const { envelope, rawLine } = decodeBody(signal, encoding, bytes);
  const lines: string[] = [];
  signal.rows(envelope, (row) => lines.push(JSON.stringify(row)));
  return { lines, rawLine, warning: wrongSignalWarning(signal, envelope, lines.length) };
}

/**
 * A partial-success warning for a request that carried something but nothing of this signal: data posted to the
 * wrong path, or JSON that is not OTLP. The Collector answers those with a silent 200; a sender deserves a hint.
 */
function wrongSignalWarning(signal: Signal, envelope: Record<string, unknown>, rows: number): string | undefined {
  if (rows > 0 || Object.hasOwn(envelope, signal.envelopeKey)) return undefined;
  const keys = Object.keys(envelope);
  if (keys.length === 0) return undefined;
  return `No ${signal.envelopeKey} in the request (it has ${keys.slice(0, 3).join(", ")}): ` +
    `is it OTLP ${signal.name} for ${signal.path}?`;
}
