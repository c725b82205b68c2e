/**
 * One append-only file with group commit: writes queued while another is in flight go out together as one buffer,
 * one `write` and (when asked) one `fdatasync`.
 *
 * @module
 */
import { type FileHandle, mkdir, open } from "node:fs/promises";
import { syncDir } from "../platform/atomic_write.ts";
import path from "node:path";
import { SinkWriteError } from "./sink_write_error.ts";

/**
 * Opens `path` for appending and reading (`"a+"`: the day file reads its last byte to repair a torn tail). The seam
 * lets tests and benchmarks wrap the real handle, e.g. to count `write` calls.
 */
export type FileOpener = (path: string) => Promise<FileHandle>;

/** Options of a {@linkcode DayFile}. */
export interface DayFileOptions {
  /** `fdatasync` after every batch (`true`), or only when the file is closed (`false`, the default). */
  syncEachBatch?: boolean;
  /** Opens the file; `open(path, "a+", 0o600)` by default. */
  openFile?: FileOpener;
  /** About the most bytes gathered into one write (4 MiB by default); a single text larger than this goes alone. */
  maxBatchBytes?: number;
}

interface Pending {
  /** Whole lines, as text or as UTF-8 bytes. */
  text: string | Uint8Array;
  resolve: () => void;
  reject: (error: Error) => void;
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();

/** Opens with `"a+"` (O_APPEND: every write lands at the end, whoever else appends), private (0600) when new. */
export const openForAppend: FileOpener = (file) => open(file, "a+", 0o600);

/**
 * An append-only file. `write(text)` resolves once `text` is in the file (written to the page cache, or on disk with
 * `syncEachBatch`) and rejects with a {@linkcode SinkWriteError} otherwise. Texts are written whole and in submission
 * order; the file is opened on first use, and reopened after a failure so it recovers when the condition clears.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { DayFile } from "./day_file.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "day-file-"));
 * const file = new DayFile(join(dir, "logs", "2025-03-01.jsonl"));
 * await Promise.all([file.write('{"a":1}\n'), file.write('{"a":2}\n')]);
 * await file.close();
 * assert.equal(await readFile(file.path, "utf8"), '{"a":1}\n{"a":2}\n');
 * await rm(dir, { recursive: true });
 * ```
 */
export class DayFile {
  /** The file's path. */
  readonly path: string;
  readonly #syncEachBatch: boolean;
  readonly #openFile: FileOpener;
  readonly #maxBatchBytes: number;
  #queue: Pending[] = [];
  #drain: Promise<void> | undefined;
  #handle: FileHandle | undefined;
  /** The file size as far as this writer knows: where the current batch starts, to undo it if it fails. */
  #size = 0;
  /** The file ends inside a line (a crash or another writer tore it): start the next batch on a new line. */
  #tornTail = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** A day file at `path`; nothing is opened until the first write. */
  constructor(path: string, options: DayFileOptions = {}) {
    this.path = path;
    this.#syncEachBatch = options.syncEachBatch ?? false;
    this.#openFile = options.openFile ?? openForAppend;
    this.#maxBatchBytes = options.maxBatchBytes ?? 4 * 1024 * 1024;
  }

  /**
   * Queues `text` (whole lines, each ending in `"\n"`; as a string or as UTF-8 bytes, which must not change until the
   * write settles) and resolves once it is written.
   */
  write(text: string | Uint8Array): Promise<void> {
    if (this.#closed) return Promise.reject(new Error(`Cannot write ${this.path}: the file is closed`));
    return new Promise((resolve, reject) => {
      this.#queue.push({ text, resolve, reject });
      this.#startDrain();
    });
  }

  /** Resolves once every write queued so far has settled; never rejects (each write reports its own failure). */
  async flush(): Promise<void> {
    // A drain that finishes may be followed by another one for writes that arrived in between.
    while (this.#drain) await this.#drain;
  }

  /** Flushes, then fsyncs and closes the file; later writes reject. Idempotent. */
  close(): Promise<void> {
    this.#closed = true;
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    await this.flush();
    const handle = this.#handle;
    this.#handle = undefined;
    if (!handle) return;
    try {
      await handle.sync();
    } catch (err) {
      throw new SinkWriteError(this.path, err);
    } finally {
      await handle.close().catch(() => {});
    }
  }

  #startDrain(): void {
    if (this.#drain) return;
    this.#drain = this.#runDrain().catch((err) => {
      // Unreachable unless there is a bug; even then, no write may wait forever.
      this.#settle(this.#queue.splice(0), new SinkWriteError(this.path, err));
    }).then(() => {
      this.#drain = undefined;
      if (this.#queue.length > 0) this.#startDrain();
    });
  }

  async #runDrain(): Promise<void> {
    // Yield once so that writes submitted in the same tick share the first batch.
    await Promise.resolve();
    while (this.#queue.length > 0) {
      let handle: FileHandle;
      try {
        // Writes that arrive while the file opens join the first batch.
        handle = await this.#ensureOpen();
      } catch (err) {
        this.#settle(this.#takeBatch(), new SinkWriteError(this.path, err));
        continue;
      }
      await this.#writeBatch(handle, this.#takeBatch());
    }
  }

  /** Takes queued writes up to the batch size, always at least one. */
  #takeBatch(): Pending[] {
    let bytes = 0;
    let count = 0;
    while (
      count < this.#queue.length && (count === 0 || bytes + this.#queue[count].text.length <= this.#maxBatchBytes)
    ) {
      bytes += this.#queue[count].text.length;
      count++;
    }
    return this.#queue.splice(0, count);
  }

  async #writeBatch(handle: FileHandle, batch: Pending[]): Promise<void> {
    const chunks = batchChunks(this.#tornTail ? "\n" : "", batch);
    const total = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
    try {
      for (const bytes of chunks) {
        let written = 0;
        // write(2) may write less than asked (a signal, a quota): loop until every byte is out.
        while (written < bytes.length) {
          const { bytesWritten } = await handle.write(bytes, written, bytes.length - written);
          if (bytesWritten <= 0) throw new Error("the write made no progress");
          written += bytesWritten;
        }
      }
      if (this.#syncEachBatch) await handle.datasync();
    } catch (err) {
      await this.#abandon(handle, total);
      this.#settle(batch, new SinkWriteError(this.path, err));
      return;
    }
    this.#size += total;
    this.#tornTail = false;
    this.#settle(batch);
  }

  #settle(batch: Pending[], error?: Error): void {
    for (const pending of batch) error ? pending.reject(error) : pending.resolve();
  }

  async #ensureOpen(): Promise<FileHandle> {
    if (this.#handle) return this.#handle;
    const dir = path.dirname(this.path);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const handle = await this.#openFile(this.path);
    try {
      const { size } = await handle.stat();
      this.#size = size;
      this.#tornTail = size > 0 && (await lastByte(handle, size)) !== NEWLINE;
      // A new file's directory entry must be durable too, or fsync'd rows can vanish with the file after a crash.
      if (this.#syncEachBatch && size === 0) await syncDir(dir);
    } catch (err) {
      await handle.close().catch(() => {});
      throw err;
    }
    this.#handle = handle;
    return handle;
  }

  /**
   * After a failed batch: cut what it wrote (its writes all reject, so none may stay behind as if written), then drop
   * the handle so the next batch reopens the file, which recovers from a deleted or replaced directory.
   */
  async #abandon(handle: FileHandle, batchBytes: number): Promise<void> {
    this.#handle = undefined;
    try {
      // The size, not our count of written bytes, says what landed: a failing call may have written some too. A size
      // beyond this batch means another process appended; then leave the file, and the reopen repairs a torn tail.
      const { size } = await handle.stat();
      if (size > this.#size && size <= this.#size + batchBytes) await handle.truncate(this.#size);
    } catch {
      // The reopen checks the tail again.
    }
    await handle.close().catch(() => {});
  }
}

/**
 * A batch as the buffers to write in turn: `prefix` and each run of string texts joined and encoded once (all of a
 * batch of strings goes in one write), and each byte text as it is, never copied.
 */
function batchChunks(prefix: string, batch: Pending[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let text = prefix;
  for (const { text: part } of batch) {
    if (typeof part === "string") {
      text += part;
      continue;
    }
    if (text !== "") chunks.push(encoder.encode(text));
    text = "";
    chunks.push(part);
  }
  if (text !== "") chunks.push(encoder.encode(text));
  return chunks;
}

async function lastByte(handle: FileHandle, size: number): Promise<number> {
  const buffer = new Uint8Array(1);
  const { bytesRead } = await handle.read(buffer, 0, 1, size - 1);
  return bytesRead === 1 ? buffer[0] : NEWLINE;
}
