/**
 * A request body, JSON or protobuf, to the lines it is written as: one JSON line per row, and the request itself as
 * one OTLP/JSON line for `raw/<signal>/`, both encoded into reusable buffers as they are made. A protobuf request is
 * read record by record ({@link streamRequest}); a JSON one goes straight from its bytes to its lines when it is in
 * the form senders use ({@link transcodeJsonRequest}), else it is parsed whole, then normalized record by record.
 *
 * @module
 */
import type { JsonlBytes } from "../../storage/jsonl_bytes.ts";
import { parseJsonBody } from "./json/parse_json_body.ts";
import { transcodeJsonRequest } from "./json/transcode_request.ts";
import type { Encoding } from "./media.ts";
import { type ResourceFields, resourceFields, type Row, type Scope, scopeOf } from "./normalize/common.ts";
import { badData, OtlpError } from "./otlp_error.ts";
import { streamRequest } from "./protobuf/stream_request.ts";
import type { Signal } from "./signals.ts";

/** Where an encoded request goes. */
export interface RequestLines {
  /** Gets the raw line, when it is kept; nothing is added for an empty body. */
  raw?: JsonlBytes;
  /** Gets one line per row. */
  rows: JsonlBytes;
}

/** What the answer to an encoded request needs. */
export interface EncodedRequest {
  /** How many rows were made. */
  rows: number;
  /** A partial-success warning for the sender, when the request looks misdirected. */
  warning?: string;
}

/**
 * Decodes `bytes`, `signal`'s export request in `encoding`, into `out`; anything undecodable or malformed is an
 * `OtlpError` (400), possibly after some lines were added (the caller then drops them all).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { JsonlBytes } from "../../storage/jsonl_bytes.ts";
 * import { encodeRequest } from "./encode_request.ts";
 * import { LOGS } from "./signals.ts";
 *
 * const body = new TextEncoder().encode('{"resourceLogs":[{"scopeLogs":[{"logRecords":[{"severityText":"INFO"}]}]}]}');
 * const out = { raw: new JsonlBytes(), rows: new JsonlBytes() };
 * const { rows, warning } = encodeRequest(LOGS, "json", body, out);
 * assert.equal(rows, 1);
 * assert.equal(warning, undefined);
 * const [row] = new TextDecoder().decode(out.rows.bytes()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
 * assert.equal(row.severityText, "INFO");
 * ```
 */
export function encodeRequest(
  signal: Signal,
  encoding: Encoding,
  bytes: Uint8Array,
  out: RequestLines,
): EncodedRequest {
  let rows = 0;
  const emit = (row: Row) => {
    out.rows.pushValue(row);
    rows++;
  };
  if (encoding === "json") {
    if (signal.transcodeJsonRecord !== undefined) {
      const rows = transcodeJsonRequest(bytes, signal.shape, signal.transcodeJsonRecord, out);
      if (rows !== undefined) return { rows };
    }
    const { envelope, rawLine } = parseJsonBody(bytes);
    if (rawLine !== undefined) out.raw?.pushLine(rawLine);
    signal.rows(envelope, emit);
    return { rows, warning: wrongSignalWarning(signal, envelope, rows) };
  }
  if (bytes.byteLength === 0) return { rows };
  let resource: ResourceFields;
  let scope: Scope;
  try {
    streamRequest(bytes, signal.shape, signal.readProtobufRecord, {
      resource: (head) => void (resource = resourceFields(head)),
      scope: (head) => void (scope = scopeOf(head)),
      record: (record) => signal.recordRows(record, resource, scope, emit),
    }, out.raw);
  } catch (error) {
    if (error instanceof OtlpError) throw error;
    // The reader's own errors: a length past the end, a bad varint or wire type.
    throw badData(`Invalid protobuf: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  out.raw?.endLine();
  return { rows };
}

/**
 * A partial-success warning for a request that carried something but nothing of this signal: data posted to the
 * wrong path, or JSON that is not OTLP. The Collector answers those with a silent 200; a sender deserves a hint.
 */
function wrongSignalWarning(signal: Signal, envelope: Record<string, unknown>, rows: number): string | undefined {
  const key = signal.shape.resources;
  if (rows > 0 || Object.hasOwn(envelope, key)) return undefined;
  const keys = Object.keys(envelope);
  if (keys.length === 0) return undefined;
  return `No ${key} in the request (it has ${
    keys.slice(0, 3).join(", ")
  }): is it OTLP ${signal.name} for ${signal.path}?`;
}
