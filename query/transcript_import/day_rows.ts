/**
 * Appends imported rows to the day file of their own date, `<root>/<gw>/<signal>/<YYYY-MM-DD>.jsonl` (a transcript
 * spans days, and an import reads months of them): rows are gathered per file and written in batches through the
 * sink's {@linkcode DayFile}, with a bounded number of files open at once.
 *
 * @module
 */
import { stat } from "node:fs/promises";
import path from "node:path";
import { DayFile } from "../../storage/day_file.ts";

// Small batches: each is a string joined, then encoded, then written; at 1 MiB those big short-lived strings raised a
// 2 GB import's peak RSS by about 60 MiB (bench import), for no measurable speed.
const BATCH_CHARS = 64 * 1024;

interface Open {
  file: DayFile;
  lines: string[];
  chars: number;
}

/**
 * Day files being appended to.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, readFileSync, rmSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const root = mkdtempSync(`${tmpdir()}/day-rows-`);
 * const rows = new DayRows(root, "gw");
 * await rows.write("transcripts", "2025-03-01", '{"a":1}');
 * await rows.write("transcripts", "2025-03-02", '{"a":2}');
 * assert.deepEqual(await rows.close(), { "transcripts/2025-03-01": 8, "transcripts/2025-03-02": 8 });
 * assert.equal(readFileSync(`${root}/gw/transcripts/2025-03-02.jsonl`, "utf8"), '{"a":2}\n');
 * rmSync(root, { recursive: true });
 * ```
 */
export class DayRows {
  readonly #root: string;
  readonly #gatewayId: string;
  readonly #maxOpen: number;
  /** Open files by `<signal>/<date>`, least recently written first. */
  readonly #open = new Map<string, Open>();
  readonly #touched = new Set<string>();

  /** Files go under `<root>/<gatewayId>/`; at most `maxOpen` are open at once. */
  constructor(root: string, gatewayId: string, maxOpen = 32) {
    this.#root = root;
    this.#gatewayId = gatewayId;
    this.#maxOpen = maxOpen;
  }

  /** The day file of `<signal>/<date>`. */
  pathOf(key: string): string {
    return path.join(this.#root, this.#gatewayId, `${key}.jsonl`);
  }

  /** Appends one row (a line of JSON without its newline). */
  async write(signal: string, date: string, line: string): Promise<void> {
    const key = `${signal}/${date}`;
    let open = this.#open.get(key);
    if (open) this.#open.delete(key);
    else {
      if (this.#open.size >= this.#maxOpen) await this.#retire(this.#open.keys().next().value!);
      open = { file: new DayFile(this.pathOf(key)), lines: [], chars: 0 };
      this.#touched.add(key);
    }
    this.#open.set(key, open);
    open.lines.push(line);
    open.chars += line.length + 1;
    if (open.chars >= BATCH_CHARS) await this.#write(open);
  }

  async #write(open: Open): Promise<void> {
    if (!open.lines.length) return;
    const text = open.lines.join("\n") + "\n";
    open.lines = [];
    open.chars = 0;
    await open.file.write(text);
  }

  async #retire(key: string): Promise<void> {
    const open = this.#open.get(key)!;
    this.#open.delete(key);
    await this.#write(open);
    await open.file.close();
  }

  /**
   * Writes what is gathered, fsyncs and closes every file, and resolves with the size of each file written since
   * the last call, by `<signal>/<date>`. Writing again reopens them.
   */
  async close(): Promise<Record<string, number>> {
    for (const key of [...this.#open.keys()]) await this.#retire(key);
    const sizes: Record<string, number> = {};
    for (const key of [...this.#touched].sort()) sizes[key] = (await stat(this.pathOf(key))).size;
    this.#touched.clear();
    return sizes;
  }
}
