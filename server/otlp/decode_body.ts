/**
 * A request body, JSON or protobuf, to the OTLP/JSON envelope the normalizers read and the line kept under `raw/`.
 *
 * @module
 */
import { parseJsonBody } from "./json/parse_json_body.ts";
import type { Encoding } from "./media.ts";
import { badData, OtlpError } from "./otlp_error.ts";
import type { Signal } from "./signals.ts";

/** A decoded request. */
export interface DecodedBody {
  /** The request in OTLP/JSON form (lowerCamelCase keys). */
  envelope: Record<string, unknown>;
  /** The request as one JSON line for `raw/<signal>/`; undefined when the body was empty. */
  rawLine: string | undefined;
}

/** Decodes `bytes` as `signal`'s export request in `encoding`; anything undecodable is an `OtlpError` (400). */
export function decodeBody(signal: Signal, encoding: Encoding, bytes: Uint8Array): DecodedBody {
  if (encoding === "json") return parseJsonBody(bytes);
  if (bytes.byteLength === 0) return { envelope: {}, rawLine: undefined };
  let envelope: Record<string, unknown>;
  try {
    envelope = signal.decodeProtobuf(bytes);
  } catch (error) {
    if (error instanceof OtlpError) throw error;
    // The reader's own errors: a length past the end, a bad varint or wire type.
    throw badData(`Invalid protobuf: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  return { envelope, rawLine: JSON.stringify(envelope) };
}
