/**
 * Writes rows as JSONL to a file in large batches (a derived day can hold millions of rows).
 *
 * @module
 */
import { type FileHandle, open } from "node:fs/promises";

const FLUSH_CHARS = 4 * 1024 * 1024;

/** A batched JSONL file writer. */
export class JsonlWriter {
  #handle: FileHandle;
  #batch: string[] = [];
  #chars = 0;
  /** Rows written so far. */
  count = 0;
  /** The longest line so far, in UTF-16 code units times 3 (an upper bound of its UTF-8 bytes). */
  maxLineBytes = 0;

  private constructor(handle: FileHandle) {
    this.#handle = handle;
  }

  /** Creates (truncates) `file`. */
  static async create(file: string): Promise<JsonlWriter> {
    return new JsonlWriter(await open(file, "w"));
  }

  /** Adds one row. */
  write(row: unknown): Promise<void> {
    return this.writeLine(JSON.stringify(row));
  }

  /** Adds one row already serialized as one line of JSON. */
  async writeLine(line: string): Promise<void> {
    this.#batch.push(line);
    this.#chars += line.length + 1;
    if (line.length * 3 > this.maxLineBytes) this.maxLineBytes = line.length * 3;
    this.count++;
    if (this.#chars >= FLUSH_CHARS) await this.#flush();
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
