/**
 * The JSONL sink: rows to `<dir>/<gatewayId>/<signal>/<YYYY-MM-DD>.jsonl`, one JSON object a line, rotated at UTC
 * midnight. The files are the source of truth; everything else is rebuilt from them.
 *
 * @module
 */
import { mkdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fsReason } from "../platform/fs_error.ts";
import { DayFile, type FileOpener } from "./day_file.ts";
import type { SinkHealth } from "./sink_health.ts";
import { utcDate } from "./utc_date.ts";

/** When the sink fsyncs: after every batch (`"always"`), or when a file rotates or closes (`"rotate"`). */
export type FsyncPolicy = "always" | "rotate";

/** Options of a {@linkcode JsonlSink}. */
export interface JsonlSinkOptions {
  /** The sink directory (`sink.dir`). */
  dir: string;
  /** The gateway id: the first directory level under `dir`. */
  gatewayId: string;
  /** `"rotate"` (default): an append resolves once in the page cache, so it survives a crash of the process. */
  fsync?: FsyncPolicy;
  /** The clock that picks the day file; injectable for tests. */
  now?: () => Date;
  /** Opens a day file (`open(path, "a+")` by default); a seam to count or slow down writes in tests and benchmarks. */
  openFile?: FileOpener;
  /** Counts the appends that fail (and notes the last that succeeded), for `ctvs status`. */
  health?: SinkHealth;
}

const NEWLINE = 0x0a;
// The registry's gateway id pattern (reference §5.5): one safe path segment.
const GATEWAY_ID = /^[a-zA-Z0-9][a-zA-Z0-9._+@-]*$/;
// A signal is one or more path segments (`logs`, `raw/traces`); no empty, `.` or `..` segment can escape the tree.
const SIGNAL = /^(?!\.{1,2}(?:\/|$))[a-zA-Z0-9_.-]+(?:\/(?!\.{1,2}(?:\/|$))[a-zA-Z0-9_.-]+)*$/;

/**
 * Appends JSON rows to per-signal, per-day files. Appends to one file are written in submission order, each append's
 * rows contiguous; appends that arrive while a write is in flight share the next write (group commit). An append
 * resolves once its bytes are written (and fsync'd with `fsync: "always"`) and rejects with a `SinkWriteError`
 * (`Cannot write <path>: <reason>`) otherwise; the sink keeps working and recovers when the condition clears.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { JsonlSink } from "./jsonl_sink.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "sink-"));
 * const sink = new JsonlSink({ dir, gatewayId: "alice", now: () => new Date("2025-03-01T12:00:00Z") });
 * await sink.append("logs", [{ body: "hi" }, { body: "there" }]);
 * await sink.close();
 * const text = await readFile(join(dir, "alice", "logs", "2025-03-01.jsonl"), "utf8");
 * assert.equal(text, '{"body":"hi"}\n{"body":"there"}\n');
 * await rm(dir, { recursive: true });
 * ```
 */
export class JsonlSink {
  /** The sink directory. */
  readonly dir: string;
  /** The gateway id. */
  readonly gatewayId: string;
  /** When files are fsync'd. */
  readonly fsync: FsyncPolicy;
  /** The failure counters given to the constructor, if any. */
  readonly health: SinkHealth | undefined;
  readonly #now: () => Date;
  readonly #openFile: FileOpener | undefined;
  /** The open day file of each signal. */
  readonly #files = new Map<string, { date: string; file: DayFile }>();
  /** Day files being closed after a rotation. */
  readonly #retiring = new Set<Promise<void>>();
  /** Failures to fsync or close a rotated file, reported by `close()`: no append is left to reject. */
  readonly #rotationErrors: Error[] = [];
  #closing: Promise<void> | undefined;

  /** A sink; files and directories are created on the first append. Throws a TypeError for an unsafe gateway id. */
  constructor(options: JsonlSinkOptions) {
    if (!GATEWAY_ID.test(options.gatewayId)) {
      throw new TypeError(`Cannot use gateway id "${options.gatewayId}": it must match ${GATEWAY_ID.source}`);
    }
    this.dir = options.dir;
    this.gatewayId = options.gatewayId;
    this.fsync = options.fsync ?? "rotate";
    this.#now = options.now ?? (() => new Date());
    this.#openFile = options.openFile;
    this.health = options.health;
  }

  /** The file `signal` is written to on `date` (default: now): `<dir>/<gatewayId>/<signal>/<YYYY-MM-DD>.jsonl`. */
  pathFor(signal: string, date: Date = this.#now()): string {
    if (!SIGNAL.test(signal)) {
      throw new TypeError(`Cannot use signal "${signal}": it must be "/"-separated names of letters, digits, "_-."`);
    }
    return path.join(this.dir, this.gatewayId, ...signal.split("/"), `${utcDate(date)}.jsonl`);
  }

  /** Appends each row as `JSON.stringify(row) + "\n"`; resolves once they are written, contiguous, in the file. */
  append(signal: string, rows: readonly unknown[]): Promise<void> {
    let text = "";
    for (let i = 0; i < rows.length; i++) {
      let line: string | undefined;
      try {
        line = JSON.stringify(rows[i]);
      } catch (err) {
        return Promise.reject(new TypeError(`Cannot append row ${i} to ${signal}: ${(err as Error).message}`));
      }
      if (line === undefined) {
        return Promise.reject(new TypeError(`Cannot append row ${i} to ${signal}: it has no JSON form`));
      }
      text += line + "\n";
    }
    return this.#write(signal, text);
  }

  /** Appends pre-serialized lines (no `"\n"` inside; one is added to each), like `append`. */
  appendLines(signal: string, lines: readonly string[]): Promise<void> {
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].includes("\n")) {
        return Promise.reject(new TypeError(`Cannot append line ${i} to ${signal}: it contains a newline`));
      }
    }
    return this.#write(signal, lines.length === 0 ? "" : lines.join("\n") + "\n");
  }

  /**
   * Appends lines already encoded: `bytes` is whole UTF-8 lines, each ending in `"\n"` (a `JsonlBytes`
   * buffer), written as they are, like `append`. The caller must not change them until the append settles.
   */
  appendBytes(signal: string, bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > 0 && bytes[bytes.byteLength - 1] !== NEWLINE) {
      return Promise.reject(new TypeError(`Cannot append bytes to ${signal}: they do not end with a newline`));
    }
    return this.#write(signal, bytes);
  }

  /** Resolves once every append submitted so far has settled, rotated files included. Never rejects. */
  async flush(): Promise<void> {
    await Promise.all([...[...this.#files.values()].map(({ file }) => file.flush()), ...this.#retiring]);
  }

  /**
   * Flushes, fsyncs and closes every file; appends afterwards reject. Idempotent. Rejects with the first failure to
   * fsync or close a file (rotated ones included), after trying them all.
   */
  close(): Promise<void> {
    this.#closing ??= this.#closeAll();
    return this.#closing;
  }

  /**
   * Creates `<dir>/<gatewayId>` and proves it writable by creating and deleting a file in it. Throws
   * `Cannot write to sink directory <dir>: <reason>`; the runner calls it at start so a bad directory fails early.
   */
  async checkWritable(): Promise<void> {
    const gatewayDir = path.join(this.dir, this.gatewayId);
    const probe = path.join(gatewayDir, `.ctvs-write-check-${process.pid}-${Date.now()}`);
    try {
      await mkdir(gatewayDir, { recursive: true, mode: 0o700 });
      await writeFile(probe, "", { flag: "wx", mode: 0o600 });
      await unlink(probe);
    } catch (err) {
      throw new Error(`Cannot write to sink directory ${this.dir}: ${fsReason(err)}`, { cause: err });
    }
  }

  #write(signal: string, text: string | Uint8Array): Promise<void> {
    if (this.#closing) return Promise.reject(new Error(`Cannot append to ${signal}: the sink is closed`));
    try {
      // Synchronous up to the day file's queue, so submission order is call order.
      const file = this.#fileFor(signal);
      if (text.length === 0) return Promise.resolve();
      const written = file.write(text);
      const health = this.health;
      if (!health) return written;
      return written.then(() => health.wrote(), (err) => {
        health.failed(signal, lineCount(text), err);
        throw err;
      });
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** The signal's day file for now; a new UTC date retires (fsyncs and closes) the previous one. */
  #fileFor(signal: string): DayFile {
    const now = this.#now();
    const date = utcDate(now);
    const current = this.#files.get(signal);
    if (current?.date === date) return current.file;
    const file = new DayFile(this.pathFor(signal, now), {
      syncEachBatch: this.fsync === "always",
      openFile: this.#openFile,
    });
    if (current) this.#retire(current.file);
    this.#files.set(signal, { date, file });
    return file;
  }

  #retire(file: DayFile): void {
    const closing: Promise<void> = file.close()
      .catch((err: Error) => void this.#rotationErrors.push(err))
      .finally(() => this.#retiring.delete(closing));
    this.#retiring.add(closing);
  }

  async #closeAll(): Promise<void> {
    const files = [...this.#files.values()].map(({ file }) => file);
    this.#files.clear();
    const results = await Promise.allSettled([...files.map((file) => file.close()), ...this.#retiring]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    const error = failed?.reason ?? this.#rotationErrors[0];
    if (error) throw error;
  }
}

/** The lines of a failed append (counted only then: the bytes are not scanned on success). */
function lineCount(text: string | Uint8Array): number {
  let n = 0;
  if (typeof text === "string") {
    for (let at = text.indexOf("\n"); at !== -1; at = text.indexOf("\n", at + 1)) n++;
  } else {
    for (let at = text.indexOf(NEWLINE); at !== -1; at = text.indexOf(NEWLINE, at + 1)) n++;
  }
  return n;
}
