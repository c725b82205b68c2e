/**
 * An OTLP/JSON request body to the envelope object the normalizers read, and the line kept under `raw/`.
 *
 * @module
 */
import { badData } from "../otlp_error.ts";
import { scanJson } from "./scan_json.ts";
import { camelCaseKeys } from "./snake_case.ts";

/** Deeper bodies are refused: real OTLP nests about 10 levels, plus 3 per level of nested attribute values. */
export const MAX_JSON_DEPTH = 256;

/** A decoded JSON body. */
export interface JsonBody {
  /** The request as an object, keys in lowerCamelCase. */
  envelope: Record<string, unknown>;
  /**
   * The request as one JSON line for `raw/`: the body's own bytes (a view, trimmed) when it is on one line, else
   * the parsed value re-serialized; undefined for an empty body.
   */
  rawLine: Uint8Array | string | undefined;
}

const utf8 = new TextDecoder();
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;

/**
 * Parses an OTLP/JSON body. An empty body is an empty request; anything that is not a JSON object, or nests deeper
 * than {@link MAX_JSON_DEPTH}, is a 400. The raw line is the body itself when it is already on one line (what
 * exporters send; kept as bytes, so no copy of the text outlives the parse), else the parsed value re-serialized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonBody } from "./parse_json_body.ts";
 *
 * const body = parseJsonBody(new TextEncoder().encode('{"resource_logs":[]}'));
 * assert.deepEqual(body.envelope, { resourceLogs: [] });
 * assert.equal(new TextDecoder().decode(body.rawLine as Uint8Array), '{"resource_logs":[]}');
 * ```
 */
export function parseJsonBody(bytes: Uint8Array): JsonBody {
  const text = utf8.decode(bytes).trim();
  if (text === "") return { envelope: {}, rawLine: undefined };
  const scan = scanJson(text, MAX_JSON_DEPTH);
  if (scan.tooDeep) {
    throw badData(`Invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badData("Invalid JSON", error);
  }
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw badData("Invalid OTLP/JSON: the body is not a JSON object");
  }
  const oneLine = !text.includes("\n") && !text.includes("\r");
  const rawLine = (oneLine && !text.includes("\uFFFD") && objectBytes(bytes)) || JSON.stringify(value);
  if (scan.snakeCaseKeys) camelCaseKeys(value);
  return { envelope: value as Record<string, unknown>, rawLine };
}

/**
 * The bytes of the JSON object in `bytes`, without the whitespace (and byte order mark) around it, or undefined when
 * something else surrounds it. Only for a body with no U+FFFD in its text: a replaced invalid byte would otherwise be
 * written as it came.
 */
function objectBytes(bytes: Uint8Array): Uint8Array | undefined {
  const bounds = objectBounds(bytes);
  return bounds && bytes.subarray(bounds[0], bounds[1]);
}

/**
 * Where the JSON object in `bytes` starts and ends, without the whitespace (and byte order mark) around it, or
 * undefined when it does not start with `{` and end with `}`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { objectBounds } from "./parse_json_body.ts";
 *
 * assert.deepEqual(objectBounds(new TextEncoder().encode(' {"a":1}\n')), [1, 8]);
 * assert.equal(objectBounds(new TextEncoder().encode("[1]")), undefined);
 * ```
 */
export function objectBounds(bytes: Uint8Array): [start: number, end: number] | undefined {
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  let end = bytes.byteLength;
  while (start < end && isSpace(bytes[start])) start++;
  while (end > start && isSpace(bytes[end - 1])) end--;
  return end - start >= 2 && bytes[start] === OPEN_BRACE && bytes[end - 1] === CLOSE_BRACE ? [start, end] : undefined;
}

/** JSON's whitespace: space, tab, line feed, carriage return. */
function isSpace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}
