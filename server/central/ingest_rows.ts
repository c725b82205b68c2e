/**
 * The rows of an ingest body: NDJSON, each non-blank line a JSON object, stamped with
 * `_ingest: {gateway_id, received_at, row_id}` (set, or overwritten when a row brings its own). `row_id` is
 * `<batch id>:<line>` when the gateway named its batch, which is what lets Central recognise the batch when it is
 * shipped again. Parsing stops at the first line that is not a JSON object: the rows before it are kept.
 *
 * @module
 */
import type { IngestRow } from "../../storage/ingest/ingest_store.ts";

/** What is stamped on every row. */
export interface IngestStamp {
  gatewayId: string;
  /** ISO time. */
  receivedAt: string;
  batchId?: string;
}

/** The stamped rows, and the first bad line if there is one. */
export interface ParsedIngest {
  rows: IngestRow[];
  /** 1-based line number and why it was refused. */
  rejected?: { line: number; error: string };
}

/**
 * Parses and stamps `text`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const stamp = { gatewayId: "gw", receivedAt: "2025-03-01T00:00:00.000Z", batchId: "b" };
 * const { rows, rejected } = stampRows('{"a":1}\n\n{"_ingest":1}\n[1]\n', stamp);
 * assert.deepEqual(rows.map((r) => JSON.parse(r.text)), [
 *   { a: 1, _ingest: { gateway_id: "gw", received_at: "2025-03-01T00:00:00.000Z", row_id: "b:1" } },
 *   { _ingest: { gateway_id: "gw", received_at: "2025-03-01T00:00:00.000Z", row_id: "b:3" } },
 * ]);
 * assert.deepEqual(rejected, { line: 4, error: "line 4 is not a JSON object" });
 * ```
 */
export function stampRows(text: string, stamp: IngestStamp): ParsedIngest {
  const head = `"_ingest":{"gateway_id":${JSON.stringify(stamp.gatewayId)},"received_at":${
    JSON.stringify(stamp.receivedAt)
  }`;
  const idPrefix = stamp.batchId === undefined ? undefined : `,"row_id":${JSON.stringify(stamp.batchId).slice(0, -1)}:`;
  const rows: IngestRow[] = [];
  const lines = text.split("\n");
  // A body that ends with a newline has an empty last piece, which is no line.
  if (lines[lines.length - 1] === "") lines.pop();
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === "") continue;
    const number = i + 1;
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
    rows.push({ line: number, text: withStamp(line, value as Record<string, unknown>, stampText) });
  }
  return { rows };
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
