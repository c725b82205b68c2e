/**
 * Freshness of a cache partition against its source (reference §7.3): `missing` (never cached), `stale` (the source
 * moved on or the cache cannot be used as is), or `fresh` (also when the source is gone, a sealed partition, and when all that is new is a line still being
 * written).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { open, stat } from "node:fs/promises";
import path from "node:path";
import { unlessMissing } from "../platform/fs_error.ts";
import { CACHE_SCHEMA_VERSION, type Cursor } from "./cursor.ts";
import { headHash } from "./head_hash.ts";

/** A partition's state and why. */
export interface Freshness {
  state: "fresh" | "stale" | "missing";
  /** Empty when fresh. */
  reason: string;
  /** True when the cache cannot be extended and the next refresh starts a new epoch. */
  rebuild: boolean;
}

async function exists(file: string): Promise<boolean> {
  return (await unlessMissing(stat(file), "read", file)) !== undefined;
}

/** Whether bytes `[from, to)` of `file` hold a newline: without one they are a line still being written. */
async function hasNewline(file: string, from: number, to: number): Promise<boolean> {
  const handle = await unlessMissing(open(file, "r"), "read", file);
  if (!handle) return false;
  try {
    const buffer = Buffer.allocUnsafe(Math.min(1024 * 1024, to - from));
    for (let at = from; at < to;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, to - at), at);
      if (bytesRead === 0) return false;
      if (buffer.subarray(0, bytesRead).includes(0x0a)) return true;
      at += bytesRead;
    }
    return false;
  } finally {
    await handle.close();
  }
}

/**
 * Compares `cursor` (read from `dir`) with the source file at `sourcePath`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const f = await freshnessOf(undefined, "/nonexistent/a.jsonl", "/nonexistent", "x");
 * assert.deepEqual(f, { state: "missing", reason: "cache cursor is missing", rebuild: true });
 * ```
 */
export async function freshnessOf(
  cursor: Cursor | undefined,
  sourcePath: string,
  dir: string,
  fingerprint: string,
): Promise<Freshness> {
  if (!cursor) return { state: "missing", reason: "cache cursor is missing", rebuild: true };
  if (cursor.cache_schema_version !== CACHE_SCHEMA_VERSION || cursor.schema_fingerprint !== fingerprint) {
    return { state: "stale", reason: "cache schema version changed", rebuild: true };
  }
  for (const part of cursor.parts) {
    if (!await exists(path.join(dir, part.file))) {
      return { state: "stale", reason: "cache table is missing", rebuild: true };
    }
  }
  const source = await unlessMissing(stat(sourcePath), "read", sourcePath);
  if (!source) return { state: "fresh", reason: "", rebuild: false };
  if (source.size < cursor.byte_offset) return { state: "stale", reason: "source was truncated", rebuild: true };
  if (cursor.byte_offset > 0 && await headHash(sourcePath, cursor.byte_offset) !== cursor.head_hash) {
    return { state: "stale", reason: "source was rewritten", rebuild: true };
  }
  if (source.size > cursor.byte_offset && await hasNewline(sourcePath, cursor.byte_offset, source.size)) {
    return { state: "stale", reason: "source size changed", rebuild: false };
  }
  return { state: "fresh", reason: "", rebuild: false };
}
