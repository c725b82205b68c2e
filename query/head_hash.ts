/**
 * A fingerprint of the start of a source file: if a file is replaced by another one of the same or larger size, its
 * first bytes almost surely differ, and the cache starts a new epoch instead of appending the wrong tail.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { Buffer } from "node:buffer";
import { open } from "node:fs/promises";

/** How many leading bytes are hashed (at most). */
export const HEAD_BYTES = 4096;

/**
 * sha256 (hex) of the first `min(HEAD_BYTES, upTo)` bytes of `file`; `undefined` if it cannot be read.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(await headHash("/nonexistent", 10), undefined);
 * ```
 */
export async function headHash(file: string, upTo: number): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(file, "r");
    const length = Math.min(HEAD_BYTES, upTo);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, 0);
    return createHash("sha256").update(buffer.subarray(0, bytesRead)).digest("hex");
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}
