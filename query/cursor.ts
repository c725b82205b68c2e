/**
 * The cursor of one cache partition (`cursor.json`): how far into its JSONL source the cache has read, and which
 * Parquet parts hold what was read. It is replaced atomically and durably (`atomicWrite`), so a refresh killed at
 * any point leaves the previous cursor, and with it the previous cache, valid. It is private (0600), as the cache is.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { atomicWrite } from "../platform/atomic_write.ts";
import { unlessMissing } from "../platform/fs_error.ts";

/** The version of the cursor format and of the partition layout; a change rebuilds every partition. */
export const CACHE_SCHEMA_VERSION = 1;

/** One committed Parquet part: the rows of a byte range of the source. */
export interface Part {
  /** The file name, relative to the partition directory (`epoch=<n>/part-....parquet`). */
  file: string;
  rows: number;
}

/** The state of one partition. */
export interface Cursor {
  cache_schema_version: number;
  kind: "builtin" | "collection";
  /** `logs/<gw>/<date>` or `collection/<table>/<hash>`. */
  source_id: string;
  source_path: string;
  /** Starts at 0; a truncated, rewritten or re-schema'd source starts the next one (a fresh set of parts). */
  source_epoch: number;
  source_size: number;
  source_mtime_ms: number;
  /** The end of the last complete line read. */
  byte_offset: number;
  /** Lines read so far (complete lines, blank ones included), for warnings naming a line. */
  line_number: number;
  row_count: number;
  /** sha256 of the source's first bytes (up to 4 KiB of what was read): a rewrite changes it. */
  head_hash: string;
  schema_fingerprint: string;
  parts: Part[];
  /** Parts no longer in use, deleted once no query can still be reading them. */
  retired: { file: string; at: number }[];
  refreshed_at: string;
  /** Built-in partitions: dataset, gateway and date; collections: table, columns and timestamp column. */
  meta: Record<string, unknown>;
}

/**
 * Reads a cursor; `undefined` if there is none or it cannot be parsed (a partition is then rebuilt). A cursor that
 * exists but cannot be read rejects with `Cannot read <file>: <reason>`: rebuilding over it would not help.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await readCursor("/nonexistent/cursor.json"), undefined);
 * ```
 */
export async function readCursor(file: string): Promise<Cursor | undefined> {
  const text = await unlessMissing(readFile(file, "utf8"), "read", file);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text);
    return value && typeof value === "object" && Array.isArray(value.parts) ? value as Cursor : undefined;
  } catch {
    // A cursor cut short or edited by hand: the partition is rebuilt from its source.
    return undefined;
  }
}

/** Replaces the cursor at `file` atomically. */
export async function writeCursor(file: string, cursor: Cursor): Promise<void> {
  await atomicWrite(file, JSON.stringify(cursor, null, 2) + "\n");
}
