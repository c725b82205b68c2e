/**
 * Writes rows as JSONL in large batches (a derived day can hold millions of rows), optionally split over several
 * files of bounded weight.
 *
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";
import path from "node:path";

const FLUSH_CHARS = 4 * 1024 * 1024;

/** Options of {@linkcode JsonlWriter.create}. */
export interface JsonlWriterOptions {
  /**
   * Start a new file once the lines of the current one weigh this much (see {@linkcode JsonlWriter.writeLine}): DuckDB
   * reads a file in chunks of up to 2,048 rows, and a chunk never spans two files, so this bounds the rows it holds
   * at once. Default: one file.
   */
  partWeight?: number;
}

/**
 * A batched JSONL writer; its files are `file`, then (when split) `file` with `.1`, `.2`, ... before its extension.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * import path from "node:path";
 * const dir = mkdtempSync(`${tmpdir()}/writer-`);
 * const writer = await JsonlWriter.create(`${dir}/rows.jsonl`, { partWeight: 12 });
 * for (const n of [1, 2, 3]) await writer.writeLine(`{"n":${n}}`, 6);
 * await writer.close();
 * assert.deepEqual(writer.files.map((f) => path.basename(f)), ["rows.jsonl", "rows.1.jsonl"]);
 * assert.equal(readFileSync(writer.files[1], "utf8"), '{"n":3}\n');
 * assert.equal(writer.count, 3);
 * rmSync(dir, { recursive: true });
 * ```
 */
export class JsonlWriter {
  readonly #file: string;
  readonly #partWeight: number;
  #handle: FileHandle;
  #batch: string[] = [];
  #chars = 0;
  #weight = 0;
  /** The files written so far, in order. */
  readonly files: string[];
  /** Rows written so far. */
  count = 0;
  /** The longest line so far, in UTF-16 code units times 3 (an upper bound of its UTF-8 bytes). */
  maxLineBytes = 0;

  private constructor(file: string, handle: FileHandle, partWeight: number) {
    this.#file = file;
    this.#handle = handle;
    this.#partWeight = partWeight;
    this.files = [file];
  }

  /** Creates (truncates) `file`. */
  static async create(file: string, options: JsonlWriterOptions = {}): Promise<JsonlWriter> {
    return new JsonlWriter(file, await open(file, "w", 0o600), options.partWeight ?? Infinity);
  }

  /** Adds one row. */
  write(row: unknown): Promise<void> {
    return this.writeLine(JSON.stringify(row));
  }

  /**
   * Adds one row already serialized as one line of JSON; `weight` is what it counts towards
   * {@linkcode JsonlWriterOptions.partWeight} (its length, or more when it stands for more).
   */
  async writeLine(line: string, weight = line.length): Promise<void> {
    if (this.#weight > 0 && this.#weight + weight > this.#partWeight) await this.#nextFile();
    this.#batch.push(line);
    this.#chars += line.length + 1;
    this.#weight += weight;
    if (line.length * 3 > this.maxLineBytes) this.maxLineBytes = line.length * 3;
    this.count++;
    if (this.#chars >= FLUSH_CHARS) await this.#flush();
  }

  async #nextFile(): Promise<void> {
    await this.#flush();
    const extension = path.extname(this.#file);
    const file = `${this.#file.slice(0, this.#file.length - extension.length)}.${this.files.length}${extension}`;
    const previous = this.#handle;
    this.#handle = await open(file, "w", 0o600);
    this.files.push(file);
    this.#weight = 0;
    await previous.close();
  }

  async #flush(): Promise<void> {
    if (!this.#batch.length) return;
    const text = this.#batch.join("\n") + "\n";
    this.#batch = [];
    this.#chars = 0;
    await this.#handle.write(text);
  }

  /** Writes what is left and closes the file. */
  async close(): Promise<void> {
    try {
      await this.#flush();
    } finally {
      await this.#handle.close();
    }
  }
}
