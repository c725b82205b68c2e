/**
 * Names the malformed lines of a JSONL chunk. DuckDB's `read_json(ignore_errors)` turns a bad line into a row of
 * NULLs without saying which line it was; when a refresh sees fewer rows than lines it asks this slower JS pass for
 * the line numbers and reasons, so the warning can name them.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

/** One line that is not a JSON object. */
export interface MalformedLine {
  /** 1-based line number in the source. */
  line: number;
  reason: string;
}

/**
 * Lists the non-blank lines of `file` (of its bytes before `end`, when given) that are not JSON objects; `firstLine`
 * is the source line number of its first.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/bad-`);
 * const file = `${dir}/a.jsonl`;
 * writeFileSync(file, '{"a":1}\n[1]\n\n{"a":\n');
 * const bad = await malformedLines(file, 10);
 * assert.deepEqual(bad.map((b) => b.line), [11, 13]);
 * assert.equal(bad[0].reason, "not a JSON object");
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function malformedLines(file: string, firstLine: number, end?: number): Promise<MalformedLine[]> {
  const found: MalformedLine[] = [];
  if (end === 0) return found;
  // `end` is exclusive; the stream's is inclusive.
  const input = createReadStream(file, end === undefined ? {} : { end: end - 1 });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = firstLine - 1;
  for await (const text of lines) {
    n++;
    if (text.trim() === "") continue;
    try {
      const value = JSON.parse(text);
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        found.push({ line: n, reason: "not a JSON object" });
      }
    } catch (err) {
      found.push({ line: n, reason: (err as Error).message });
    }
  }
  return found;
}
