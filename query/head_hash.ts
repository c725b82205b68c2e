/**
 * A fingerprint of the start of a source file: if a file is replaced by another one of the same or larger size, its
 * first bytes almost surely differ, and the cache starts a new epoch instead of appending the wrong tail.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";
import { unlessMissing } from "../platform/fs_error.ts";

/** How many leading bytes are hashed (at most). */
export const HEAD_BYTES = 4096;

/**
 * sha256 (hex) of the first `min(HEAD_BYTES, upTo)` bytes of `file`; `undefined` if it does not exist. A file that
 * cannot be read rejects with `Cannot read <file>: <reason>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await headHash("/nonexistent", 10), undefined);
 * ```
 */
export async function headHash(file: string, upTo: number): Promise<string | undefined> {
  const handle = await unlessMissing(open(file, "r"), "read", file);
  if (!handle) return undefined;
  try {
    const length = Math.min(HEAD_BYTES, upTo);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return createHash("sha256").update(buffer.subarray(0, bytesRead)).digest("hex");
  } finally {
    await handle.close();
  }
}
