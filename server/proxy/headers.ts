/**
 * Header handling: what is dropped when forwarding (hop-by-hop, `host`), and how headers are recorded
 * (a plain object, secrets redacted as `REDACTED:<last4>`, reference §4.4).
 *
 * @module
 */
import type { HeaderList } from "./upstream/types.ts";

/** Headers that belong to one connection, never forwarded in either direction (RFC 9110 §7.6.1). */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Headers always redacted; `proxy.redact_headers` adds to them, never removes. The original's five (reference §4.4),
 * then `proxy-authorization` (never forwarded, but recorded), Azure OpenAI's `api-key`, Gemini's `x-goog-api-key` and
 * the session token of AWS-signed requests (their `authorization` is redacted already).
 */
export const DEFAULT_REDACT_HEADERS: readonly string[] = [
  "authorization",
  "x-api-key",
  "anthropic-api-key",
  "cookie",
  "set-cookie",
  "proxy-authorization",
  "api-key",
  "x-goog-api-key",
  "x-amz-security-token",
];

/** Recorded headers: lowercase names; a repeated `set-cookie` becomes an array, other repeats one joined value. */
export type RecordedHeaders = Record<string, string | string[]>;

/** The redaction set: the defaults plus `extra`, lowercased. */
export function redactionSet(extra: readonly string[] = []): ReadonlySet<string> {
  return new Set([...DEFAULT_REDACT_HEADERS, ...extra].map((h) => h.toLowerCase()));
}

/** One message's headers, read once: the pairs to forward and the recorded form. */
export interface ReadHeaders {
  /** Without hop-by-hop headers, those named in `Connection`, and the `drop` list; a repeated `set-cookie` repeats. */
  forward: [string, string][];
  /** Lowercase names; those in `redact` as `REDACTED:<last 4 chars>`; see {@linkcode RecordedHeaders}. */
  recorded: RecordedHeaders;
}

/**
 * Reads `headers` in one pass into what is forwarded (minus hop-by-hop headers, those named in `Connection`, and
 * `drop`) and what is recorded (every header, those in `redact` replaced by `REDACTED:<last 4 chars>`, the whole value
 * when shorter than 4).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const h = new Headers({ "x-api-key": "sk-ant-abcdwxyz", "anthropic-version": "2023-06-01", connection: "close" });
 * const { forward, recorded } = readHeaders(h, redactionSet(), ["host"]);
 * assert.deepEqual(forward, [["anthropic-version", "2023-06-01"], ["x-api-key", "sk-ant-abcdwxyz"]]);
 * assert.deepEqual(recorded, {
 *   "anthropic-version": "2023-06-01",
 *   connection: "close",
 *   "x-api-key": "REDACTED:wxyz",
 * });
 * ```
 */
export function readHeaders(
  headers: HeaderList,
  redact: ReadonlySet<string>,
  drop: readonly string[] = [],
): ReadHeaders {
  // Headers named in Connection are hop-by-hop too; almost no client sends one, so it is looked up only then.
  const connection = headers.get("connection");
  const named = connection === null ? [] : connection.split(",").map((h) => h.trim().toLowerCase());
  const forward: [string, string][] = [];
  const recorded: RecordedHeaders = {};
  // forEach rather than for-of or a spread: Deno's Headers iterator rebuilds its sorted list at every step (several
  // times slower on a dozen headers). Both yield the same sorted, combined list (set-cookie once per value).
  headers.forEach((raw, name) => {
    if (!HOP_BY_HOP.has(name) && !drop.includes(name) && !named.includes(name)) forward.push([name, raw]);
    const value = redact.has(name) ? redactValue(raw) : raw;
    const prev = recorded[name];
    // As `Headers` reads them: a repeated field is one value joined by ", ", except set-cookie (one per cookie).
    if (prev === undefined) recorded[name] = value;
    else if (name !== "set-cookie") recorded[name] = `${prev}, ${value}`;
    else recorded[name] = Array.isArray(prev) ? [...prev, value] : [prev, value];
  });
  return { forward, recorded };
}

/** `REDACTED:<tail>`: the last 4 characters, or the whole value when it is shorter. */
export function redactValue(value: string): string {
  return `REDACTED:${value.length >= 4 ? value.slice(-4) : value}`;
}
