/**
 * Where Gas City capture keeps its state, beside the recordings it describes: `<root>/.gascity/`, with per city
 * its event cursor and one key journal per session, and the running listener's status snapshot.
 *
 * @module
 */
import path from "node:path";

/** `<root>/.gascity`: a dot-directory, so the recordings' walkers never take it for a gateway. */
export function gascityStateDir(root: string): string {
  return path.join(root, ".gascity");
}

/** `<root>/.gascity/cities/<city>`. */
export function cityStateDir(root: string, city: string): string {
  return path.join(gascityStateDir(root), "cities", safeSegment(city));
}

/** The status snapshot the running listener rewrites, read by `ctvs gascity list|status`. */
export function statusFile(root: string): string {
  return path.join(gascityStateDir(root), "status.json");
}

/**
 * A name as one path segment: characters other than letters, digits, `.`, `_` and `-` are %-escaped, and `.` and
 * `..` are escaped too, so no name can leave its directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(safeSegment("alpha"), "alpha");
 * assert.equal(safeSegment("../x y"), "..%2Fx%20y");
 * assert.equal(safeSegment(".."), "%2E%2E");
 * ```
 */
export function safeSegment(name: string): string {
  if (name === "." || name === "..") return name.replaceAll(".", "%2E");
  return name.replace(/[^A-Za-z0-9._-]/g, (c) => [...new TextEncoder().encode(c)].map(hex).join(""));
}

function hex(byte: number): string {
  return `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
}
