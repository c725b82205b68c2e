/**
 * Reads a transcript file from a byte cursor, line by line (a transcript can be hundreds of megabytes, a line
 * megabytes), parsing each line. The last line counts only once it is whole: ended by a newline, or whole JSON (a
 * file need not end with a newline); a last line still being written is left for the next read. A line that is not
 * a JSON object, or one longer than the limit, is reported and skipped, never fatal.
 *
 * @module
 */
import { open } from "node:fs/promises";
import { readLines } from "../proxy_messages/read_lines.ts";

/** Lines longer than this are skipped (and reported): one line must not take the whole memory budget. */
export const MAX_LINE_BYTES = 32 * 1024 * 1024;

/** One item read: a parsed line, one left unparsed (`ignored`), or a bad one. `end` is the cursor after it. */
export type TranscriptItem =
  | { kind: "line"; value: Record<string, unknown>; offset: number; number: number; end: number }
  | { kind: "ignored"; offset: number; number: number; end: number }
  | { kind: "malformed" | "oversized"; reason: string; offset: number; number: number; end: number };

/** Where to read from and to. */
export interface ReadRange {
  /** The byte offset to start at (a line start). */
  offset: number;
  /** The number of the line there. */
  line: number;
  /** Read up to here (the file's size when listed). */
  size: number;
  maxLineBytes?: number;
  /** Lines whose text says they are of no use are yielded as `ignored`, unparsed. */
  ignore?: (text: string) => boolean;
}

async function endsWithNewline(file: string, size: number): Promise<boolean> {
  if (size === 0) return true;
  const handle = await open(file, "r");
  try {
    const byte = new Uint8Array(1);
    await handle.read(byte, 0, 1, size - 1);
    return byte[0] === 0x0a;
  } finally {
    await handle.close();
  }
}

/**
 * Yields the items of `file` in `range`, in order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/transcript-`);
 * const file = `${dir}/t.jsonl`;
 * writeFileSync(file, '{"a":1}\nnot json\n{"a":');
 * const items = [];
 * for await (const item of readTranscript(file, { offset: 0, line: 1, size: 22 })) items.push([item.kind, item.number, item.end]);
 * assert.deepEqual(items, [["line", 1, 8], ["malformed", 2, 17]]); // the cut last line waits
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function* readTranscript(file: string, range: ReadRange): AsyncGenerator<TranscriptItem> {
  if (range.size <= range.offset) return;
  const terminated = await endsWithNewline(file, range.size);
  const skipped: TranscriptItem[] = [];
  const max = range.maxLineBytes ?? MAX_LINE_BYTES;
  const lines = readLines(file, {
    start: range.offset,
    end: range.size,
    firstLine: range.line,
    maxLineBytes: max,
    onSkip: ({ offset, bytes, number }) => {
      // A long last line may still be growing: it is skipped once it is whole.
      if (offset + bytes === range.size && !terminated) return;
      skipped.push({ kind: "oversized", reason: `longer than ${max} bytes`, offset, number, end: offset + bytes + 1 });
    },
  });
  for await (const line of lines) {
    while (skipped.length) yield skipped.shift()!;
    const last = line.offset + line.bytes === range.size && !terminated;
    const end = line.offset + line.bytes + (last ? 0 : 1);
    if (!last && range.ignore?.(line.text)) {
      yield { kind: "ignored", offset: line.offset, number: line.number, end };
      continue;
    }
    let value: unknown;
    try {
      value = JSON.parse(line.text);
    } catch (error) {
      // A cut last line is a line still being written: it waits for the next read.
      if (last) return;
      yield { kind: "malformed", reason: (error as Error).message, offset: line.offset, number: line.number, end };
      continue;
    }
    if (!value || typeof value !== "object" || Array.isArray(value)) {
      if (last) return;
      yield { kind: "malformed", reason: "not a JSON object", offset: line.offset, number: line.number, end };
      continue;
    }
    yield { kind: "line", value: value as Record<string, unknown>, offset: line.offset, number: line.number, end };
  }
  while (skipped.length) yield skipped.shift()!;
}
