/**
 * How deeply a JSON text nests, found by scanning it once. `JSON.parse` copes with any depth, but whatever walks
 * the result afterwards (the normalizer, `JSON.stringify`) recurses, so a body nested 100,000 deep is refused
 * before it is parsed.
 *
 * @module
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * True when `text` opens more than `max` arrays and objects inside one another. Strings are skipped whole with
 * `indexOf`, so the scan costs little more than a pass over the structural characters.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { jsonNestsDeeperThan } from "./json_depth.ts";
 *
 * assert.equal(jsonNestsDeeperThan('{"a":[{"b":"[[[["}]}', 3), false);
 * assert.equal(jsonNestsDeeperThan("[[[[1]]]]", 3), true);
 * ```
 */
export function jsonNestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      i = stringEnd(text, i);
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      depth--;
    }
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
