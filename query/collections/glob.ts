/**
 * The glob of a collection (`ctvs collect --glob`), matched by picomatch with its documented semantics: `**` any
 * number of folders (none included), `*` and `?` within a name, `[abc]` classes, `{a,b}` alternatives, `\` escapes.
 * Dot files and folders match too, as the original tool's globs did.
 *
 * @module
 */
// @ts-types="@types/picomatch"
import picomatch from "picomatch";
import path from "node:path";

/** A compiled glob: the folder to walk and the test for each file found there. */
export interface Glob {
  /** The leading folders of the pattern that have no wildcard (the file's folder for a pattern without one). */
  root: string;
  /** Whether the absolute path `file` matches the pattern. */
  matches(file: string): boolean;
}

/**
 * Compiles an absolute glob pattern.
 *
 * @param pattern An absolute pattern, such as `/data/**\/*.jsonl`.
 * @returns Its root and matcher.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const glob = compileGlob("/data/**\/*.jsonl");
 * assert.equal(glob.root, "/data");
 * assert.ok(glob.matches("/data/x.jsonl"));
 * assert.ok(glob.matches("/data/a/b/x.jsonl"));
 * assert.ok(!glob.matches("/data/x.json"));
 * ```
 */
export function compileGlob(pattern: string): Glob {
  const scanned = picomatch.scan(pattern);
  const root = scanned.isGlob ? scanned.base || path.parse(pattern).root : path.dirname(pattern);
  const isMatch = picomatch(pattern, { dot: true });
  return { root, matches: (file) => isMatch(file) };
}
