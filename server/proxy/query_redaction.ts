/**
 * Credentials in a request's query string (`?key=` of Gemini, `?api_key=`, `?token=`, a presigned URL's signature)
 * are recorded as `REDACTED:<last4>`, as secret headers are (reference §4.4). Only the recorded path changes: the
 * upstream gets the query byte for byte.
 *
 * @module
 */
import { redactValue } from "./headers.ts";

/**
 * Query parameters always redacted, compared without regard to case; `proxy.redact_query_params` adds to them, never
 * removes. API keys and tokens, OAuth secrets and codes, passwords, and the signatures of presigned URLs (S3, Azure SAS).
 */
export const DEFAULT_REDACT_QUERY_PARAMS: readonly string[] = [
  "key",
  "api_key",
  "api-key",
  "apikey",
  "access_key",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "auth",
  "auth_token",
  "client_secret",
  "code",
  "secret",
  "password",
  "sig",
  "signature",
  "x-amz-signature",
  "x-amz-security-token",
  "x-amz-credential",
];

/** The query redaction set: the defaults plus `extra`, lowercased. */
export function queryRedactionSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...DEFAULT_REDACT_QUERY_PARAMS, ...extra].map((name) => name.toLowerCase()));
}

/**
 * `pathAndQuery` with the value of every parameter named in `redact` replaced by `REDACTED:<last 4 characters>`
 * (of the decoded value, encoded again). Everything else is kept as sent: order, repeats, encoding, fragments of the
 * form `name` without `=`.
 *
 * @param pathAndQuery The request target as recorded (`/v1/models/x:generate?key=...`).
 * @param redact Lowercase parameter names, from {@linkcode queryRedactionSet}.
 * @returns The target to record.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(
 *   redactQuery("/v1beta/models/g:generateContent?alt=sse&key=AIzaSyA-secret-wxyz", queryRedactionSet()),
 *   "/v1beta/models/g:generateContent?alt=sse&key=REDACTED:wxyz",
 * );
 * // Any case; the tail is of the decoded value, encoded again.
 * assert.equal(redactQuery("/x?Api_Key=abc%2Fdef", queryRedactionSet()), "/x?Api_Key=REDACTED:%2Fdef");
 * assert.equal(redactQuery("/v1/messages?beta=true", queryRedactionSet()), "/v1/messages?beta=true");
 * ```
 */
export function redactQuery(pathAndQuery: string, redact: ReadonlySet<string>): string {
  const at = pathAndQuery.indexOf("?");
  if (at === -1 || at === pathAndQuery.length - 1) return pathAndQuery;
  let changed = false;
  const pairs = pathAndQuery.slice(at + 1).split("&").map((pair) => {
    const eq = pair.indexOf("=");
    if (eq === -1 || !redact.has(decode(pair.slice(0, eq)).toLowerCase())) return pair;
    changed = true;
    const tail = redactValue(decode(pair.slice(eq + 1))).slice("REDACTED:".length);
    return `${pair.slice(0, eq)}=REDACTED:${encodeURIComponent(tail)}`;
  });
  return changed ? `${pathAndQuery.slice(0, at + 1)}${pairs.join("&")}` : pathAndQuery;
}

/** Form-decodes a name or value; a malformed escape is kept as written. */
function decode(text: string): string {
  try {
    return decodeURIComponent(text.replaceAll("+", " "));
  } catch {
    return text;
  }
}
