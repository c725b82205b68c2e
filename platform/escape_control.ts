/**
 * Text from the network on a terminal: control characters (ANSI escape sequences, carriage returns that overwrite a
 * line) shown as `\uXXXX` escapes, so an answer from a server cannot rewrite what the user sees.
 *
 * @module
 */

/**
 * `text` with each C0 and C1 control character (and DEL) written as its `\uXXXX` escape.
 *
 * @param text Any text.
 * @returns It, safe to print.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(escapeControlCharacters("ok\u001b[2J\r"), "ok\\u001b[2J\\u000d");
 * assert.equal(escapeControlCharacters("plain, naïve"), "plain, naïve");
 * ```
 */
export function escapeControlCharacters(text: string): string {
  // deno-lint-ignore no-control-regex -- control characters are what it finds
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
