/**
 * The collections manifest, `<root>/.collectivus-query/collections.json` (reference §7.4): which JSONL file or glob
 * each collection table reads. Written atomically and durably, private (0600); version 1 files still load.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { atomicWrite } from "../../platform/atomic_write.ts";

/** One registered collection. */
export interface Collection {
  /** The name as the user gave it. */
  name: string;
  /** The SQL table name. */
  table: string;
  /** An absolute file path (the file form). */
  source_path?: string;
  /** An absolute glob pattern (the glob form). */
  source_glob?: string;
  /** The source field to filter `--from`/`--to`/`--since` on. */
  timestamp_column?: string;
  created_at: string;
  updated_at: string;
}

/** The manifest file of a recording root. */
export function manifestPath(root: string): string {
  return path.join(root, ".collectivus-query", "collections.json");
}

/**
 * Every collection by table name; none when the manifest does not exist.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(await loadCollections("/nonexistent"), {});
 * ```
 */
export async function loadCollections(root: string): Promise<Record<string, Collection>> {
  let text: string;
  try {
    text = await readFile(manifestPath(root), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw err;
  }
  const value = JSON.parse(text);
  if (!value || typeof value !== "object" || ![1, 2].includes(value.version)) {
    throw new Error(`unsupported collections manifest ${manifestPath(root)}`);
  }
  return value.collections ?? {};
}

/** Replaces the manifest atomically. */
export async function saveCollections(root: string, collections: Record<string, Collection>): Promise<void> {
  await atomicWrite(manifestPath(root), JSON.stringify({ version: 2, collections }, null, 2) + "\n");
}
