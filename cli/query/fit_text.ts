/**
 * Fitting cell text to terminal columns: widths measured by `string-width` (East Asian wide characters and emoji take
 * two columns, combining marks none), cuts made between grapheme clusters, control characters shown escaped so a
 * recorded value cannot move the cursor or recolour the terminal.
 *
 * @module
 */
import stringWidth from "string-width";

const segmenter = new Intl.Segmenter();

/**
 * `text` on one line in at most `max` columns: line breaks and tabs (with the spaces around them) become one space,
 * other control characters their `\uXXXX` escape, and a longer text is cut at a grapheme boundary and ends in `…`.
 *
 * @param text Any cell text.
 * @param max The columns it may take (at least 1).
 * @returns The fitted text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(fitText("日本語のテキスト", 7), "日本語…");
 * assert.equal(fitText("a\n\tb\u001b[31m", 80), "a b\\u001b[31m");
 * ```
 */
export function fitText(text: string, max: number): string {
  // deno-lint-ignore no-control-regex -- control characters are what it finds
  const flat = text.replace(/[ ]*[\r\n\t]+[ \r\n\t]*/g, " ").replace(/[\x00-\x1f\x7f-\x9f]/g, escape);
  let used = 0;
  let cut = -1;
  // Lazily, cluster by cluster: a cell of megabytes costs only the clusters that fit.
  for (const { segment, index } of segmenter.segment(flat)) {
    const width = stringWidth(segment);
    if (cut === -1 && used + width > max - 1) cut = index;
    used += width;
    if (used > max) return `${flat.slice(0, cut)}…`;
  }
  return flat;
}

/**
 * `text` followed by spaces up to `width` columns.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(padToWidth("表", 4), "表  ");
 * ```
 */
export function padToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - stringWidth(text)));
}

/**
 * The columns `text` takes on a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(displayWidth("a👩‍👩‍👧表"), 5);
 * ```
 */
export function displayWidth(text: string): number {
  return stringWidth(text);
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
