/**
 * Parses config text: JSON with comments and trailing commas (JSONC), with errors that point at a line and column.
 *
 * @module
 */
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";
import { ConfigError } from "./config_error.ts";

/** What each parser error code (by its name) means, worded for a person. */
const DESCRIPTIONS: Record<string, string> = {
  InvalidSymbol: "unexpected token",
  InvalidNumberFormat: "invalid number",
  PropertyNameExpected: "expected a property name in double quotes",
  ValueExpected: "expected a value",
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected ","',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: "unexpected content after the end of the document",
  InvalidCommentToken: "invalid comment",
  UnexpectedEndOfComment: "unterminated comment",
  UnexpectedEndOfString: "unterminated string",
  UnexpectedEndOfNumber: "unexpected end of number",
  InvalidUnicode: "invalid unicode escape",
  InvalidEscapeCharacter: "invalid escape character",
  InvalidCharacter: "invalid character in string",
};

/**
 * Parses `text` as JSONC (comments and trailing commas allowed) and returns the value; `source` (a path, URL,
 * `env:<VAR>` or `default`) names the text in errors. Throws a {@linkcode ConfigError} reading
 * `invalid JSON in <source> at line L, column C: <problem>` (1-based), or `invalid JSON in <source>: the document is
 * empty` for text holding nothing but whitespace and comments.
 *
 * @param text The config text.
 * @param source Where the text came from, for error messages.
 * @returns The parsed value, not yet validated.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseConfigText('{ "version": 1, // v1\n }', "a.json"), { version: 1 });
 * assert.throws(() => parseConfigText('{\n  "version": }', "a.json"), {
 *   message: "invalid JSON in a.json at line 2, column 14: expected a value",
 * });
 * ```
 */
export function parseConfigText(text: string, source: string): unknown {
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const errors: ParseError[] = [];
  const value = parse(body, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true });
  const first = errors[0];
  if (first) {
    const { line, column } = lineAndColumn(body, first.offset);
    throw new ConfigError(`invalid JSON in ${source} at line ${line}, column ${column}: ${describe(body, first)}`);
  }
  if (value === undefined) {
    throw new ConfigError(`invalid JSON in ${source}: the document is empty`);
  }
  return value;
}

/** The human wording of one parser error. */
function describe(text: string, error: ParseError): string {
  const code = printParseErrorCode(error.error);
  const description = DESCRIPTIONS[code] ?? "syntax error";
  if (error.offset >= text.length) return `unexpected end of input (${description})`;
  if (code === "InvalidSymbol") {
    const token = text.slice(error.offset, error.offset + Math.max(1, Math.min(error.length, 20)));
    return `unexpected ${JSON.stringify(token)}`;
  }
  return description;
}

/** The 1-based line and column (in characters, not UTF-16 units) of `offset` in `text`. */
function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf("\n");
  const line = before.split("\n").length;
  const column = [...before.slice(lastNewline + 1)].length + 1;
  return { line, column };
}
