/**
 * One pass over a JSON text that finds what must be known before it is parsed: how deeply it nests (`JSON.parse`
 * copes with any depth, but whatever walks the result afterwards recurses, so a body nested 100,000 deep is refused
 * first) and whether any object key is in snake_case (then the keys are renamed after parsing).
 *
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/** What {@link scanJson} found. */
export interface JsonScan {
  /** True when arrays and objects nest more than the limit deep (the scan stops there). */
  tooDeep: boolean;
  /** True when some object key contains an underscore (`resource_spans`, `trace_id`). */
  snakeCaseKeys: boolean;
}

/**
 * Scans `text` for nesting deeper than `maxDepth` and for keys with underscores. Strings are skipped whole with
 * `indexOf`, so the scan costs little more than a pass over the structural characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scanJson } from "./scan_json.ts";
 *
 * assert.deepEqual(scanJson('{"a":[{"b_c":"[[[[_"}]}', 3), { tooDeep: false, snakeCaseKeys: true });
 * assert.deepEqual(scanJson('[[[[{"k":"v_w"}]]]]', 3), { tooDeep: true, snakeCaseKeys: false });
 * ```
 */
export function scanJson(text: string, maxDepth: number): JsonScan {
  let depth = 0;
  let snakeCaseKeys = false;
  // The next underscore at or after the cursor (-1: none left), found once and reused: searching afresh from every
  // key would read the rest of the text per key when underscores are rare.
  let underscore = text.indexOf("_");
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const end = stringEnd(text, i);
      if (!snakeCaseKeys && underscore !== -1 && isKey(text, end)) {
        if (underscore <= i) underscore = text.indexOf("_", i + 1);
        snakeCaseKeys = underscore !== -1 && underscore < end;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > maxDepth) return { tooDeep: true, snakeCaseKeys };
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
  }
  return { tooDeep: false, snakeCaseKeys };
}

/** True when the string closing at `end` is followed by a colon: it is an object key. */
function isKey(text: string, end: number): boolean {
  for (let j = end + 1; j < text.length; j++) {
    const c = text.charCodeAt(j);
    if (c === COLON) return true;
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false;
  }
  return false;
}

/** The index of the quote closing the string that opens at `start` (or the end of the text when it is unclosed). */
function stringEnd(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end !== -1) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return end;
    end = text.indexOf('"', end + 1);
  }
  return text.length;
}
