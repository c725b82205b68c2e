/**
 * The two request encodings OTLP/HTTP defines, told apart by `Content-Type` (parameters such as `; charset=utf-8`
 * are ignored, as the Collector does). The content codings it undoes are `../read_body.ts`'s.
 *
 * @module
 */
import { OtlpError } from "./otlp_error.ts";

/** `application/json` or `application/x-protobuf`: how the request is encoded, and so how the answer is. */
export type Encoding = "json" | "protobuf";

/** The `Content-Type` of each encoding. */
export const CONTENT_TYPE: Readonly<Record<Encoding, string>> = {
  json: "application/json",
  protobuf: "application/x-protobuf",
};

/**
 * The encoding a `Content-Type` header names, or undefined for anything else.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { encodingOf } from "./media.ts";
 *
 * assert.equal(encodingOf("Application/JSON; charset=utf-8"), "json");
 * assert.equal(encodingOf("text/plain"), undefined);
 * ```
 */
export function encodingOf(contentType: string | null): Encoding | undefined {
  if (contentType === null) return undefined;
  const type = contentType.split(";", 1)[0].trim().toLowerCase();
  if (type === CONTENT_TYPE.json) return "json";
  if (type === CONTENT_TYPE.protobuf) return "protobuf";
  return undefined;
}

/** The encoding of a request, or a 415 naming the two that are accepted. */
export function requestEncoding(contentType: string | null): Encoding {
  const encoding = encodingOf(contentType);
  if (encoding !== undefined) return encoding;
  throw new OtlpError(
    "unsupported_media_type",
    "Unsupported Content-Type: expected application/json or application/x-protobuf",
  );
}
