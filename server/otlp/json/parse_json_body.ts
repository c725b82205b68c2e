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
  /** The request as one JSON line for `raw/`; undefined for an empty body. */
  rawLine: string | undefined;
}

const utf8 = new TextDecoder();

/**
 * Parses an OTLP/JSON body. An empty body is an empty request; anything that is not a JSON object, or nests deeper
 * than {@link MAX_JSON_DEPTH}, is a 400. The raw line is the body itself when it is already on one line (what
 * exporters send), else the parsed value re-serialized.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parseJsonBody } from "./parse_json_body.ts";
 *
 * const body = parseJsonBody(new TextEncoder().encode('{"resource_logs":[]}'));
 * assert.deepEqual(body.envelope, { resourceLogs: [] });
 * assert.equal(body.rawLine, '{"resource_logs":[]}');
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
  const rawLine = oneLine ? text : JSON.stringify(value);
  if (scan.snakeCaseKeys) camelCaseKeys(value);
  return { envelope: value as Record<string, unknown>, rawLine };
}
