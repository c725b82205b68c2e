/**
 * The columns of `proxy_messages` that most rows repeat: every part of an exchange carries its system text and tools
 * (tens of kilobytes), and most exchanges of a day carry the same ones. The derivation writes each distinct set of
 * them once, as `{"shared_id": ..., <columns>}`, and the rows only its `shared_id`; DuckDB joins them back when it
 * writes the Parquet part (`query/derived_select.ts`), so the rows come out the same from a small part of the JSON
 * (65 MB instead of 1.5 GB for the 1 GB day of `deno task bench conversations`).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { SHARED_ID } from "../dataset.ts";

/** The columns written once per distinct value set, in `proxy_messages` order. */
export const SHARED_COLUMNS = ["system_text", "tools"] as const;

// Exchanges in a row mostly carry the same system text and tools: those are recognized by comparing their text with
// the last few seen (native comparisons) before hashing it.
const RECENT = 4;

/**
 * Gives each distinct set of shared values an id and the line to write for it the first time.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const shared = new SharedColumns();
 * assert.equal(shared.idOf({ system_text: "s", tools: null }), "0");
 * assert.equal(shared.idOf({ system_text: "t", tools: null }), "1");
 * assert.equal(shared.idOf({ system_text: "s", tools: null }), "0");
 * assert.deepEqual(shared.take(), ['{"shared_id":"0","system_text":"s","tools":null}', '{"shared_id":"1","system_text":"t","tools":null}']);
 * assert.deepEqual(shared.take(), []);
 * ```
 */
export class SharedColumns {
  readonly #ids = new Map<string, string>();
  #recent: { text: string; id: string }[] = [];
  #lines: string[] = [];
  /** The longest line made so far, in UTF-16 code units times 3 (an upper bound of its UTF-8 bytes). */
  maxLineBytes = 0;
  /** The length of the JSON text of the values last given to {@linkcode idOf}: what they add to each row. */
  lastChars = 0;

  /** The id of `values` (the shared columns of one row, in {@linkcode SHARED_COLUMNS} order). */
  idOf(values: Record<(typeof SHARED_COLUMNS)[number], unknown>): string {
    const text = JSON.stringify(values);
    this.lastChars = text.length;
    const recent = this.#recent.find((r) => r.text === text);
    if (recent) return recent.id;
    const digest = createHash("sha1").update(text).digest("base64");
    let id = this.#ids.get(digest);
    if (id === undefined) {
      id = String(this.#ids.size);
      this.#ids.set(digest, id);
      const line = `{"${SHARED_ID}":${JSON.stringify(id)}${text === "{}" ? "}" : `,${text.slice(1)}`}`;
      this.#lines.push(line);
      if (line.length * 3 > this.maxLineBytes) this.maxLineBytes = line.length * 3;
    }
    this.#recent = [{ text, id }, ...this.#recent.slice(0, RECENT - 1)];
    return id;
  }

  /** The lines of the value sets first seen since the last call. */
  take(): string[] {
    const lines = this.#lines;
    this.#lines = [];
    return lines;
  }
}
