/**
 * Splits a TOML document into its top-level statements, line by line, so an edit can move or drop whole statements
 * and leave every other byte alone. Only the boundaries are found here (strings, comments and brackets decide where
 * a value ends); what a statement means is left to a TOML parser.
 *
 * @module
 */

/** One top-level statement: the lines `[start, end)` of the document. */
export interface TomlStatement {
  /** `blank` and `comment` are one line each; a `table` header is one line; a `value` may span lines. */
  kind: "blank" | "comment" | "table" | "value";
  start: number;
  end: number;
}

/** Where a line of a value leaves the scanner: inside a multiline string, or at a bracket depth. */
interface ScanState {
  multiline: '"""' | "'''" | undefined;
  depth: number;
}

/**
 * The top-level statements of `lines` (a document split at its line breaks), in order. A line that begins inside a
 * multiline string or a multiline array belongs to the statement that opened it, so `  [1, 2],` inside an array or
 * `[not a table]` inside `"""` is never taken for a table header. Invalid TOML still yields statements (the
 * boundaries are a best guess); check the document with a parser first.
 *
 * @param lines The document's lines, without their line breaks.
 * @returns Every line in exactly one statement.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const lines = ['a = """', "[x]", '"""', "b = [", "  [1],", "]", "", "[t]"];
 * assert.deepEqual(tomlStatements(lines).map((s) => [s.kind, s.start, s.end]), [
 *   ["value", 0, 3],
 *   ["value", 3, 6],
 *   ["blank", 6, 7],
 *   ["table", 7, 8],
 * ]);
 * ```
 */
export function tomlStatements(lines: readonly string[]): TomlStatement[] {
  const out: TomlStatement[] = [];
  let i = 0;
  while (i < lines.length) {
    const trimmed = lines[i].trim();
    if (trimmed === "") out.push({ kind: "blank", start: i, end: ++i });
    else if (trimmed.startsWith("#")) out.push({ kind: "comment", start: i, end: ++i });
    else {
      const kind = trimmed.startsWith("[") ? "table" : "value";
      const start = i;
      const state: ScanState = { multiline: undefined, depth: 0 };
      do scanLine(lines[i++], state); while (i < lines.length && (state.multiline !== undefined || state.depth > 0));
      out.push({ kind, start, end: i });
    }
  }
  return out;
}

/** Advances `state` over one line: strings, comments and the brackets of arrays and inline tables. */
function scanLine(line: string, state: ScanState): void {
  let i = 0;
  while (i < line.length) {
    if (state.multiline !== undefined) {
      i = scanMultiline(line, i, state);
      continue;
    }
    const c = line[i];
    if (c === "#") return;
    if (line.startsWith('"""', i) || line.startsWith("'''", i)) {
      state.multiline = line.slice(i, i + 3) as ScanState["multiline"];
      i += 3;
    } else if (c === '"' || c === "'") i = endOfString(line, i + 1, c);
    else if (c === "[" || c === "{") {
      state.depth++;
      i++;
    } else if (c === "]" || c === "}") {
      state.depth--;
      i++;
    } else i++;
  }
}

/** Scans inside a multiline string from `i`; returns where scanning goes on (past the closing quotes, if any). */
function scanMultiline(line: string, i: number, state: ScanState): number {
  const quote = state.multiline!;
  const basic = quote === '"""';
  while (i < line.length) {
    if (basic && line[i] === "\\") {
      i += 2;
      continue;
    }
    if (line.startsWith(quote, i)) {
      // Up to two more quotes right before the delimiter belong to the string (`"""a""""` is `a"`).
      let end = i + 3;
      while (end < i + 5 && line[end] === quote[0]) end++;
      state.multiline = undefined;
      return end;
    }
    i++;
  }
  return i;
}

/** The index past the closing `quote` of a one-line string starting at `i` (a basic string's `\` escapes). */
function endOfString(line: string, i: number, quote: string): number {
  while (i < line.length) {
    if (quote === '"' && line[i] === "\\") i += 2;
    else if (line[i++] === quote) return i;
  }
  return i;
}
