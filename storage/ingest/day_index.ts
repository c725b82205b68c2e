/**
 * The batch index of one ingested day file: which gateway batches it holds, and up to which line of each. It is how
 * Central drops a batch a gateway ships again (after a lost answer, a Central crash or a retry through another
 * replica): every row a Central writes carries `_ingest.row_id = "<batch id>:<line>"`, and the index remembers, per
 * batch, the last line written. The index file is a cache of what the day file says: a write that reached the day
 * file but not the index (a crash between the two) is found again by scanning the day file past the last indexed
 * offset.
 *
 * Index files live beside the data, in `<sink_dir>/.ingest-index/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl`, one
 * JSON line per write: `{"batch":"<id>","line":<n>,"end":<day-file size after it>}`.
 *
 * @module
 */
import { type FileHandle, mkdir, open, stat } from "node:fs/promises";
import path from "node:path";

/** The marker Central writes before each row id; found by a substring search, without parsing the row. */
const ROW_ID_MARK = '"row_id":"';
const NEWLINE = 0x0a;
const SCAN_CHUNK = 1024 * 1024;

/**
 * What one day file holds, as far as its index and the day file's unindexed tail tell. Call
 * {@linkcode DayIndex.refresh} under the ingest lock before trusting it: other processes (replicas) append too.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { appendFile, mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { DayIndex } from "./day_index.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "day-index-"));
 * const day = join(dir, "2025-03-01.jsonl");
 * // A crash left rows in the day file that the index never heard of: refresh finds them.
 * await appendFile(day, '{"a":1,"_ingest":{"row_id":"b1:1"}}\n{"a":2,"_ingest":{"row_id":"b1:2"}}\n');
 * const index = new DayIndex(join(dir, "index.jsonl"), day);
 * await index.refresh();
 * assert.equal(index.lastLine("b1"), 2);
 * await rm(dir, { recursive: true });
 * ```
 */
export class DayIndex {
  /** The index file. */
  readonly indexPath: string;
  /** The day file it describes. */
  readonly dayPath: string;
  readonly #lines = new Map<string, number>();
  /** How far into the day file the index (and scans) reach. */
  #end = 0;
  /** How much of the index file has been read. */
  #indexRead = 0;
  /** The index file, open for appending. */
  #handle: FileHandle | undefined;

  constructor(indexPath: string, dayPath: string) {
    this.indexPath = indexPath;
    this.dayPath = dayPath;
  }

  /** The last line of `batch` this day file holds, 0 when none. */
  lastLine(batch: string): number {
    return this.#lines.get(batch) ?? 0;
  }

  /**
   * Reads what others appended to the index, then scans the day file past the indexed end for rows it missed.
   * Resolves with the day file's size.
   */
  async refresh(): Promise<number> {
    await this.#readIndex();
    const size = await fileSize(this.dayPath);
    if (size < this.#end) {
      // The day file was cut or removed by hand: remember the batches, follow the file.
      this.#end = size;
      return size;
    }
    if (size === this.#end) return size;
    const found = await scanRowIds(this.dayPath, this.#end, size);
    const records = [...found].map(([batch, line]) => ({ batch, line, end: size }));
    await this.#append(records.length > 0 ? records : [{ end: size }]);
    return size;
  }

  /** Closes the index file kept open for appends. */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close().catch(() => {});
  }

  /** Records that the day file now holds `batch` up to `line` and is `end` bytes long. */
  record(batch: string | undefined, line: number, end: number): Promise<void> {
    return this.#append([batch === undefined ? { end } : { batch, line, end }]);
  }

  async #append(records: { batch?: string; line?: number; end: number }[]): Promise<void> {
    const bytes = new TextEncoder().encode(records.map((r) => JSON.stringify(r) + "\n").join(""));
    if (!this.#handle) {
      await mkdir(path.dirname(this.indexPath), { recursive: true, mode: 0o700 });
      this.#handle = await open(this.indexPath, "a", 0o600);
    }
    await this.#handle.write(bytes);
    // Only this process appends while the lock is held, so what it wrote is what follows what it had read.
    this.#indexRead += bytes.byteLength;
    for (const record of records) this.#apply(record);
  }

  async #readIndex(): Promise<void> {
    const size = await fileSize(this.indexPath);
    if (size <= this.#indexRead) return;
    const bytes = await readRange(this.indexPath, this.#indexRead, size);
    const complete = bytes.lastIndexOf(NEWLINE) + 1;
    this.#indexRead += complete;
    for (const line of new TextDecoder().decode(bytes.subarray(0, complete)).split("\n")) {
      if (line === "") continue;
      try {
        this.#apply(JSON.parse(line));
      } catch {
        // A line torn by a crash: the day-file scan recovers what it stood for.
      }
    }
  }

  #apply(record: { batch?: unknown; line?: unknown; end?: unknown }): void {
    if (typeof record.batch === "string" && typeof record.line === "number") {
      if (record.line > this.lastLine(record.batch)) this.#lines.set(record.batch, record.line);
    }
    if (typeof record.end === "number" && record.end > this.#end) this.#end = record.end;
  }
}

/** The highest line per batch among the row ids in `file` between `from` and `to`. */
async function scanRowIds(file: string, from: number, to: number): Promise<Map<string, number>> {
  const found = new Map<string, number>();
  const decoder = new TextDecoder();
  let carry = "";
  for (let offset = from; offset < to; offset += SCAN_CHUNK) {
    const bytes = await readRange(file, offset, Math.min(offset + SCAN_CHUNK, to));
    const lines = (carry + decoder.decode(bytes, { stream: true })).split("\n");
    carry = lines.pop()!;
    for (const line of lines) {
      const id = rowId(line);
      if (id && id.line > (found.get(id.batch) ?? 0)) found.set(id.batch, id.line);
    }
  }
  // A line without its newline was torn by a crash: it is not a row.
  return found;
}

/**
 * The row id a Central-written line carries, or undefined.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(rowId('{"x":1,"_ingest":{"gateway_id":"g","row_id":"2025-b:7"}}'), { batch: "2025-b", line: 7 });
 * assert.equal(rowId('{"x":1}'), undefined);
 * ```
 */
export function rowId(line: string): { batch: string; line: number } | undefined {
  const at = line.lastIndexOf(ROW_ID_MARK);
  if (at < 0) return undefined;
  const start = at + ROW_ID_MARK.length;
  const end = line.indexOf('"', start);
  if (end < 0) return undefined;
  const id = line.slice(start, end);
  const colon = id.lastIndexOf(":");
  const n = Number(id.slice(colon + 1));
  if (colon <= 0 || !Number.isSafeInteger(n) || n < 1) return undefined;
  return { batch: id.slice(0, colon), line: n };
}

async function fileSize(file: string): Promise<number> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return 0;
    throw error;
  }
}

async function readRange(file: string, from: number, to: number): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const buffer = new Uint8Array(to - from);
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, from + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}
