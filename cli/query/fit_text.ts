/**
 * Fitting cell text to terminal columns: widths measured by `string-width` (East Asian wide characters and emoji take
 * two columns, combining marks none), cuts made between grapheme clusters, control characters shown escaped so a
 * recorded value cannot move the cursor or recolour the terminal.
 *
 * Printable ASCII (one column a character) is measured and cut without `string-width`, which takes about 20 ms to
 * load (its Unicode-property patterns and a segmenter are built at import): a query process whose table is ASCII
 * never loads it. Text that is not ASCII needs {@link loadTextWidths} first.
 *
 * @module
 */

/** `string-width`, once {@link loadTextWidths} loaded it. */
let stringWidth: ((text: string) => number) | undefined;
let segmenter: Intl.Segmenter | undefined;

/** Printable ASCII only: one column per character, one character per grapheme. */
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;
/** What {@link fitText} makes of a long ASCII text: ASCII cut and ended with `…`, which takes one column too. */
const CUT_ASCII = /^[\x20-\x7e]*…$/;

/**
 * Loads what measuring text beyond printable ASCII takes, when one of `texts` needs it (all of them, when none are
 * given). Call it before {@link fitText}, {@link padToWidth} or {@link displayWidth} get such text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * await loadTextWidths(["表"]);
 * assert.equal(displayWidth("表"), 2);
 * ```
 */
export async function loadTextWidths(texts?: Iterable<string>): Promise<void> {
  if (stringWidth) return;
  if (texts !== undefined) {
    let needed = false;
    for (const text of texts) {
      if (!PRINTABLE_ASCII.test(text)) {
        needed = true;
        break;
      }
    }
    if (!needed) return;
  }
  stringWidth = (await import("string-width")).default;
  segmenter = new Intl.Segmenter();
}

/** The columns of `text`: its length when printable ASCII, else `string-width`'s measure. */
function widthOf(text: string): number {
  if (PRINTABLE_ASCII.test(text) || CUT_ASCII.test(text)) return text.length;
  if (!stringWidth) throw new Error("Cannot measure text that is not ASCII: loadTextWidths() was not awaited");
  return stringWidth(text);
}

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
 * await loadTextWidths();
 * assert.equal(fitText("日本語のテキスト", 7), "日本語…");
 * assert.equal(fitText("a\n\tb\u001b[31m", 80), "a b\\u001b[31m");
 * ```
 */
export function fitText(text: string, max: number): string {
  // deno-lint-ignore no-control-regex -- control characters are what it finds
  const flat = text.replace(/[ ]*[\r\n\t]+[ \r\n\t]*/g, " ").replace(/[\x00-\x1f\x7f-\x9f]/g, escape);
  if (PRINTABLE_ASCII.test(flat)) return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  if (!stringWidth || !segmenter) {
    throw new Error("Cannot fit text that is not ASCII: loadTextWidths() was not awaited");
  }
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
 * await loadTextWidths();
 * assert.equal(padToWidth("表", 4), "表  ");
 * ```
 */
export function padToWidth(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - widthOf(text)));
}

/**
 * The columns `text` takes on a terminal.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * await loadTextWidths();
 * assert.equal(displayWidth("a👩‍👩‍👧表"), 5);
 * ```
 */
export function displayWidth(text: string): number {
  return widthOf(text);
}

function escape(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;
}
