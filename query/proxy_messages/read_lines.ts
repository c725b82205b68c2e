/**
 * Streams the lines of a JSONL file with their byte offsets, without ever holding more than the current line and
 * one chunk: recorded request bodies make 40 MiB lines, and a day file can be gigabytes.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { type FileHandle, open } from "node:fs/promises";

/** One line: its text (no newline), where it starts, how many bytes it has and its 1-based number. */
export interface Line {
  text: string;
  offset: number;
  bytes: number;
  /** Counted from `firstLine` at `start` (blank and skipped lines count). */
  number: number;
}

const CHUNK = 4 * 1024 * 1024;

// TextDecoder and Uint8Array#indexOf are native, where node:Buffer's are not: about twice as fast. The BOM is kept,
// as Buffer#toString keeps it.
const UTF8 = new TextDecoder("utf-8", { ignoreBOM: true });

/** Options of {@linkcode readLines}. */
export interface ReadLinesOptions {
  /** Lines longer than this many bytes are skipped without being assembled (default: none are). */
  maxLineBytes?: number;
  /** Stop at this byte offset (default: the end of the file; a file still growing is read only so far). */
  end?: number;
  /** Start at this byte offset, which must be the start of a line (default 0). */
  start?: number;
  /** The number of the line at `start` (default 1). */
  firstLine?: number;
  /** Called for each line skipped for being longer than `maxLineBytes`. */
  onSkip?: (skipped: { offset: number; bytes: number; number: number }) => void;
}

/**
 * Yields each complete line of `file` (a trailing line without a newline too), skipping empty ones (and, with
 * `maxLineBytes`, longer ones).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/lines-`);
 * const file = `${dir}/a.jsonl`;
 * writeFileSync(file, '{"a":1}\n\n{"é":2}\n');
 * const lines = [];
 * for await (const line of readLines(file)) lines.push(line);
 * assert.deepEqual(lines, [
 *   { text: '{"a":1}', offset: 0, bytes: 7, number: 1 },
 *   { text: '{"é":2}', offset: 9, bytes: 8, number: 3 },
 * ]);
 * const first = [];
 * for await (const line of readLines(file, { end: 8 })) first.push(line.text);
 * assert.deepEqual(first, ['{"a":1}']);
 * const rest = [];
 * for await (const line of readLines(file, { start: 8, firstLine: 2 })) rest.push([line.number, line.text]);
 * assert.deepEqual(rest, [[3, '{"é":2}']]);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function* readLines(file: string, options: ReadLinesOptions = {}): AsyncGenerator<Line> {
  const max = options.maxLineBytes ?? Infinity;
  const end = options.end ?? Infinity;
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    const bytes8 = new Uint8Array(buffer.buffer, buffer.byteOffset, CHUNK);
    let pieces: Buffer[] = [];
    let pieceBytes = 0;
    let lineStart = options.start ?? 0;
    let position = lineStart;
    let number = options.firstLine ?? 1;
    while (position < end) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, end - position), position);
      if (bytesRead === 0) break;
      const chunk = bytes8.subarray(0, bytesRead);
      let from = 0;
      for (let nl = chunk.indexOf(0x0a, 0); nl !== -1; nl = chunk.indexOf(0x0a, nl + 1)) {
        const bytes = position + nl - lineStart;
        if (bytes > max) {
          options.onSkip?.({ offset: lineStart, bytes, number });
          pieces = [];
          pieceBytes = 0;
          lineStart = position + nl + 1;
          from = nl + 1;
          number++;
          continue;
        }
        let text: string;
        if (pieces.length) {
          pieces.push(buffer.subarray(from, nl));
          text = UTF8.decode(Buffer.concat(pieces, pieceBytes + nl - from));
          pieces = [];
          pieceBytes = 0;
        } else text = UTF8.decode(chunk.subarray(from, nl));
        if (bytes > 0) yield { text, offset: lineStart, bytes, number };
        lineStart = position + nl + 1;
        from = nl + 1;
        number++;
      }
      if (from < bytesRead && position + bytesRead - lineStart > max) {
        // Too long already: dropped, not kept.
        pieces = [];
        pieceBytes = 0;
      } else if (from < bytesRead) {
        // Copied: the buffer is reused for the next chunk.
        pieces.push(Buffer.from(buffer.subarray(from, bytesRead)));
        pieceBytes += bytesRead - from;
      }
      position += bytesRead;
    }
    if (pieceBytes > 0 && position - lineStart <= max) {
      yield { text: UTF8.decode(Buffer.concat(pieces, pieceBytes)), offset: lineStart, bytes: pieceBytes, number };
    } else if (position - lineStart > max) options.onSkip?.({ offset: lineStart, bytes: position - lineStart, number });
  } finally {
    await handle.close();
  }
}

/** Reads `bytes` bytes at `offset` of an open file as UTF-8 (a line read again later). */
export async function readRange(handle: FileHandle, offset: number, bytes: number): Promise<string> {
  const buffer = Buffer.allocUnsafe(bytes);
  let done = 0;
  while (done < bytes) {
    const { bytesRead } = await handle.read(buffer, done, bytes - done, offset + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.toString("utf8", 0, done);
}
