/**
 * The writing side of one signal's outbox: rows are appended to the current `<id>.open` file and fsync'd before the
 * append resolves (appends that arrive together share one write and one fdatasync: group commit). The file becomes
 * `<id>.ndjson`, ready to ship, at 1000 rows, 1 MiB, or 5 s after its first row, whichever comes first.
 *
 * @module
 */
import { type FileHandle, open, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { unrefTimer } from "../../platform/runtime.ts";
import { DayFile, type FileOpener } from "../day_file.ts";
import { newBatchId } from "./batch_name.ts";

/** When a batch file is closed and handed to the sender. */
export interface RotationLimits {
  /** Rows (default 1000). */
  maxRows: number;
  /** Bytes (default 1 MiB); a single append larger than this still goes into one file. */
  maxBytes: number;
  /** Milliseconds after the file's first row (default 5000). */
  maxAgeMs: number;
}

/** The outbox batch thresholds of reference §15: 1000 rows / 1 MiB / 5 s. */
export const DEFAULT_ROTATION: RotationLimits = { maxRows: 1000, maxBytes: 1024 * 1024, maxAgeMs: 5000 };

/** An append larger than this is split, at line boundaries, over several files: Central takes at most 16 MiB. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

interface Current {
  id: string;
  file: DayFile;
  rows: number;
  bytes: number;
  timer?: ReturnType<typeof setTimeout>;
}

/** Opens a batch file 0600: it holds prompts and telemetry. */
export const openBatchFile: FileOpener = (file: string): Promise<FileHandle> => open(file, "a+", 0o600);

/** Options of an {@linkcode OutboxWriter}. */
export interface OutboxWriterOptions {
  /** When a batch is handed to the sender (default 1000 rows / 1 MiB / 5 s). */
  limits?: Partial<RotationLimits>;
  /** Called with a batch id once its file is ready to ship. */
  onReady?(id: string): void;
  /** Opens a batch file (default {@linkcode openBatchFile}); a seam to count or disturb writes in tests. */
  openFile?: FileOpener;
}

/**
 * Appends rows of one signal to its outbox directory (which must exist).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readdir, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { OutboxWriter } from "./outbox_writer.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "outbox-"));
 * const writer = new OutboxWriter(dir, { limits: { maxRows: 2 } });
 * await writer.append('{"a":1}\n{"a":2}\n');
 * await writer.close();
 * assert.match((await readdir(dir))[0], /\.ndjson$/);
 * await rm(dir, { recursive: true });
 * ```
 */
export class OutboxWriter {
  /** The signal's directory. */
  readonly dir: string;
  readonly #limits: RotationLimits;
  readonly #onReady: (id: string) => void;
  readonly #openFile: FileOpener;
  #current: Current | undefined;
  readonly #rotating = new Set<Promise<void>>();
  #closed = false;

  constructor(dir: string, options: OutboxWriterOptions = {}) {
    this.dir = dir;
    this.#limits = { ...DEFAULT_ROTATION, ...options.limits };
    this.#onReady = options.onReady ?? (() => {});
    this.#openFile = options.openFile ?? openBatchFile;
  }

  /**
   * Appends whole lines (each ending in `"\n"`); resolves once they are fsync'd. Text and bytes both work; texts
   * queued together go out in one write (bytes are written as they are, each its own write, one fdatasync for all).
   */
  append(lines: string | Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`Cannot append to ${this.dir}: the outbox is closed`));
    if (lines.length === 0) return Promise.resolve();
    const last = typeof lines === "string" ? lines.charCodeAt(lines.length - 1) : lines[lines.length - 1];
    if (last !== NEWLINE) {
      return Promise.reject(new TypeError(`Cannot append to ${this.dir}: the lines do not end with a newline`));
    }
    // A text of up to a third of the limit is within it in UTF-8 whatever it holds: no need to measure it.
    const chunks = typeof lines === "string" && lines.length * 3 <= MAX_FILE_BYTES
      ? [lines]
      : [...splitLines(typeof lines === "string" ? encoder.encode(lines) : lines, MAX_FILE_BYTES)];
    const writes: Promise<void>[] = [];
    for (const chunk of chunks) {
      const current = this.#current;
      if (current && current.rows > 0 && current.bytes + chunk.length > this.#limits.maxBytes) this.#rotate();
      writes.push(this.#write(chunk));
    }
    return writes.length === 1 ? writes[0] : Promise.all(writes).then(() => {});
  }

  /** Makes the current file ready to ship now (shutdown, or a test); resolves when it is renamed. */
  async flush(): Promise<void> {
    this.#rotate();
    await Promise.all([...this.#rotating]);
  }

  /** Rotates the current file and refuses further appends. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.flush();
  }

  #write(chunk: string | Uint8Array): Promise<void> {
    const current = this.#current ?? this.#start();
    current.rows += countLines(chunk);
    // Characters stand in for bytes in a text: the thresholds are approximate by nature.
    current.bytes += chunk.length;
    const written = current.file.write(chunk);
    if (current.rows >= this.#limits.maxRows || current.bytes >= this.#limits.maxBytes) this.#rotate();
    return written;
  }

  #start(): Current {
    const id = newBatchId();
    const file = new DayFile(path.join(this.dir, `${id}.open`), { syncEachBatch: true, openFile: this.#openFile });
    const current: Current = { id, file, rows: 0, bytes: 0 };
    current.timer = setTimeout(() => {
      if (this.#current === current) this.#rotate();
    }, this.#limits.maxAgeMs);
    unrefTimer(current.timer);
    this.#current = current;
    return current;
  }

  /** Detaches the current file; closing it (fsync) and renaming it to `.ndjson` happen in the background. */
  #rotate(): void {
    const current = this.#current;
    if (!current) return;
    this.#current = undefined;
    clearTimeout(current.timer);
    const done: Promise<void> = this.#finish(current).finally(() => this.#rotating.delete(done));
    this.#rotating.add(done);
  }

  async #finish(current: Current): Promise<void> {
    const openPath = current.file.path;
    await current.file.close().catch(() => {});
    // Writes that failed were cut from the file: one with nothing left in it is dropped, not shipped.
    const size = await stat(openPath).then((s) => s.size, () => 0);
    if (size === 0) {
      await unlink(openPath).catch(() => {});
      return;
    }
    try {
      await rename(openPath, path.join(this.dir, `${current.id}.ndjson`));
    } catch {
      // It stays `.open`; the next start makes it ready.
      return;
    }
    this.#onReady(current.id);
  }
}

/** `bytes` (whole lines) cut at line ends into pieces of at most `max` bytes; a longer line is a piece alone. */
function* splitLines(bytes: Uint8Array, max: number): Generator<Uint8Array> {
  let start = 0;
  while (bytes.byteLength - start > max) {
    let end = bytes.lastIndexOf(NEWLINE, start + max - 1) + 1;
    if (end <= start) end = bytes.indexOf(NEWLINE, start + max) + 1;
    yield bytes.subarray(start, end);
    start = end;
  }
  if (start < bytes.byteLength) yield bytes.subarray(start);
}

function countLines(lines: string | Uint8Array): number {
  let count = 0;
  if (typeof lines === "string") {
    for (let i = lines.indexOf("\n"); i !== -1; i = lines.indexOf("\n", i + 1)) count++;
  } else {
    for (let i = lines.indexOf(NEWLINE); i !== -1; i = lines.indexOf(NEWLINE, i + 1)) count++;
  }
  return count;
}
