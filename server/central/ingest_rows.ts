/**
 * The rows of an ingest body: NDJSON, each non-blank line a JSON object, stamped with
 * `_ingest: {gateway_id, received_at, row_id}` (set, or overwritten when a row brings its own). `row_id` is
 * `<batch id>:<line>` when the gateway named its batch, which is what lets Central recognise the batch when it is
 * shipped again. Parsing stops at the first line that is not a JSON object: the rows before it are kept.
 *
 * @module
 */
import type { ByteBuffer } from "../../storage/byte_buffer.ts";
import type { StampedRows } from "../../storage/ingest/ingest_store.ts";

/** What is stamped on every row. */
export interface IngestStamp {
  gatewayId: string;
  /** ISO time. */
  receivedAt: string;
  batchId?: string;
}

/** The first bad line of a body: its 1-based number and why it was refused. */
export interface Rejected {
  line: number;
  error: string;
}

/**
 * Parses `text` and appends its stamped rows to `out` (whole lines, each ending in a newline); returns their
 * line numbers and where each ends in `out`, and the first bad line if there is one.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { ByteBuffer } from "../../storage/byte_buffer.ts";
 * const stamp = { gatewayId: "gw", receivedAt: "2025-03-01T00:00:00.000Z", batchId: "b" };
 * const out = new ByteBuffer();
 * const { rows, rejected } = stampRows('{"a":1}\n\n{"_ingest":1}\n[1]\n', stamp, out);
 * const text = new TextDecoder().decode(out.bytes());
 * assert.deepEqual(text.split("\n").filter(Boolean).map((l) => JSON.parse(l)), [
 *   { a: 1, _ingest: { gateway_id: "gw", received_at: "2025-03-01T00:00:00.000Z", row_id: "b:1" } },
 *   { _ingest: { gateway_id: "gw", received_at: "2025-03-01T00:00:00.000Z", row_id: "b:3" } },
 * ]);
 * assert.deepEqual(rows.lines, [1, 3]);
 * assert.equal(rows.ends[1], out.byteLength);
 * assert.deepEqual(rejected, { line: 4, error: "line 4 is not a JSON object" });
 * ```
 */
export function stampRows(
  text: string,
  stamp: IngestStamp,
  out: ByteBuffer,
): { rows: StampedRows; rejected?: Rejected } {
  const head = `"_ingest":{"gateway_id":${JSON.stringify(stamp.gatewayId)},"received_at":${
    JSON.stringify(stamp.receivedAt)
  }`;
  const idPrefix = stamp.batchId === undefined ? undefined : `,"row_id":${JSON.stringify(stamp.batchId).slice(0, -1)}:`;
  const rows: StampedRows = { bytes: out, lines: [], ends: [] };
  let number = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    // Lines come without spaces around them from a gateway: trim only when they have some.
    let line = text.slice(start, end);
    if (line.length > 0 && (isSpace(line.charCodeAt(0)) || isSpace(line.charCodeAt(line.length - 1)))) {
      line = line.trim();
    }
    start = end + 1;
    number++;
    if (line === "") continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      return {
        rows,
        rejected: { line: number, error: `line ${number} is not valid JSON: ${(error as Error).message}` },
      };
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return { rows, rejected: { line: number, error: `line ${number} is not a JSON object` } };
    }
    const stampText = idPrefix === undefined ? `${head}}` : `${head}${idPrefix}${number}"}`;
    out.appendText(withStamp(line, value as Record<string, unknown>, stampText));
    out.appendByte(NEWLINE);
    rows.lines.push(number);
    rows.ends.push(out.byteLength);
  }
  return { rows };
}

const NEWLINE = 0x0a;

/** Space, tab, CR: what may surround a line (JSON's own whitespace, and CRLF line ends). */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0d;
}

/** `line` (the text of `value`) with `"_ingest":{...}` as its last key, without serializing it again when it can. */
function withStamp(line: string, value: Record<string, unknown>, stamp: string): string {
  if (Object.hasOwn(value, "_ingest")) {
    delete value._ingest;
    line = JSON.stringify(value);
  }
  // `line` is a JSON object, so it ends with `}`; an empty one has nothing to separate the stamp from.
  const body = line.slice(0, -1).trimEnd();
  return body.endsWith("{") ? `${body}${stamp}}` : `${body},${stamp}}`;
}
