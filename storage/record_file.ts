/**
 * A small store kept as one JSON array in one file: the token and invite stores of the fleet (bootstrap tokens,
 * enrollments, the rendezvous service's invites). Every change reads, changes and rewrites the whole file under a
 * lock, atomically and 0600 (its folder 0700), so processes sharing the file (replicas on one volume, the operator
 * CLI beside the server) never lose each other's changes or hand out one use twice.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { atomicWrite } from "../platform/atomic_write.ts";
import { withFileLock } from "../platform/file_lock.ts";

/** How a {@linkcode RecordFile} reads and prunes its records. */
export interface RecordFileOptions<T> {
  /** What the store is called in errors: `the bootstrap token store`. */
  name: string;
  /** Whether a parsed element is a record. */
  isRecord(value: unknown): value is T;
  /** Which records to keep when the file is rewritten (default: all). */
  keep?(record: T): boolean;
}

/**
 * The records of one file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm, stat } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { RecordFile } from "./record_file.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "records-"));
 * const file = new RecordFile<{ n: number }>(join(dir, "store", "n.json"), {
 *   name: "the number store",
 *   isRecord: (v): v is { n: number } => typeof (v as { n?: unknown })?.n === "number",
 *   keep: (r) => r.n < 3,
 * });
 * assert.deepEqual(await file.read(), []);
 * const count = await file.update((records) => {
 *   records.push({ n: 1 }, { n: 5 });
 *   return records.length;
 * });
 * assert.equal(count, 2);
 * assert.deepEqual(await file.read(), [{ n: 1 }]);
 * assert.equal((await stat(join(dir, "store", "n.json"))).mode & 0o777, 0o600);
 * await rm(dir, { recursive: true });
 * ```
 */
export class RecordFile<T> {
  /** The file. */
  readonly path: string;
  readonly #options: RecordFileOptions<T>;

  constructor(path: string, options: RecordFileOptions<T>) {
    this.path = path;
    this.#options = options;
  }

  /** Every record; none when the file does not exist. Throws when it is not an array of records. */
  async read(): Promise<T[]> {
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw error;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`Cannot read ${this.#options.name} ${this.path}: it is not JSON`);
    }
    if (!Array.isArray(parsed) || !parsed.every((r) => this.#options.isRecord(r))) {
      throw new Error(`Cannot read ${this.#options.name} ${this.path}: it is not an array of its records`);
    }
    return parsed;
  }

  /**
   * Reads the records, lets `change` change the array in place, and rewrites the file (without the records `keep`
   * refuses), all under the file's lock. Resolves with what `change` returned; when it throws, the file is left as
   * it was.
   */
  update<R>(change: (records: T[]) => R): Promise<R> {
    return withFileLock(`${this.path}.lock`, async () => {
      const records = await this.read();
      const result = change(records);
      const keep = this.#options.keep;
      const kept = keep ? records.filter((r) => keep(r)) : records;
      await atomicWrite(this.path, JSON.stringify(kept, null, 2) + "\n");
      return result;
    });
  }
}
