/**
 * Header handling: what is dropped when forwarding (hop-by-hop, `host`), and how headers are recorded
 * (a plain object, secrets redacted as `REDACTED:<last4>`, reference §4.4).
 *
 * @module
 */

/** Headers that belong to one connection, never forwarded in either direction (RFC 9110 §7.6.1). */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** Headers always redacted; `proxy.redact_headers` adds to them, never removes. */
export const DEFAULT_REDACT_HEADERS: readonly string[] = [
  "authorization",
  "x-api-key",
  "anthropic-api-key",
  "cookie",
  "set-cookie",
];

/** A copy of `headers` without hop-by-hop headers, those named in `Connection`, and `extra`. */
export function forwardable(headers: Headers, extra: readonly string[] = []): Headers {
  const out = new Headers(headers);
  const named = headers.get("connection")?.split(",").map((h) => h.trim().toLowerCase()).filter(Boolean) ?? [];
  for (const name of [...HOP_BY_HOP, ...named, ...extra]) out.delete(name);
  return out;
}

/** Recorded headers: lowercase names; a repeated header (several `set-cookie`) becomes an array. */
export type RecordedHeaders = Record<string, string | string[]>;

/** The redaction set: the defaults plus `extra`, lowercased. */
export function redactionSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...DEFAULT_REDACT_HEADERS, ...extra].map((h) => h.toLowerCase()));
}

/**
 * `headers` as a plain object with every header in `redact` replaced by `REDACTED:<last 4 chars>` (the whole value
 * when shorter than 4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const h = new Headers({ "x-api-key": "sk-ant-abcdwxyz", "anthropic-version": "2023-06-01" });
 * assert.deepEqual(recordHeaders(h, redactionSet()), {
 *   "anthropic-version": "2023-06-01",
 *   "x-api-key": "REDACTED:wxyz",
 * });
 * ```
 */
export function recordHeaders(headers: Headers, redact: ReadonlySet<string>): RecordedHeaders {
  const out: RecordedHeaders = {};
  for (const [name, raw] of headers) {
    const value = redact.has(name) ? redactValue(raw) : raw;
    const prev = out[name];
    // Headers joins repeats with ", " except set-cookie, which it yields once per value.
    out[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  return out;
}

/** `REDACTED:<tail>`: the last 4 characters, or the whole value when it is shorter. */
export function redactValue(value: string): string {
  return `REDACTED:${value.length >= 4 ? value.slice(-4) : value}`;
}
