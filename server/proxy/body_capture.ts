/**
 * Keeps the part of a body the recorder needs: at most `limit` bytes, decoded to UTF-8 text at the end (after
 * undoing a gzip, deflate or br content-encoding), with a marker when the body was longer than the limit.
 *
 * @module
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";

/** Request and response bodies above this many bytes are recorded truncated (forwarded whole). */
export const DEFAULT_MAX_RECORD_BODY_BYTES = 32 * 1024 * 1024;

/** The text appended to a body that was recorded truncated. */
export function truncationMarker(recorded: number, total: number): string {
  return `\n[collectivus: body truncated, recorded ${recorded} of ${total} bytes]`;
}

/**
 * Collects the first `limit` bytes of a body and counts all of them.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const capture = new BodyCapture(4);
 * capture.add(new TextEncoder().encode("abc"));
 * capture.add(new TextEncoder().encode("def"));
 * assert.equal(capture.text(), "abcd\n[collectivus: body truncated, recorded 4 of 6 bytes]");
 * ```
 */
export class BodyCapture {
  readonly limit: number;
  #chunks: Uint8Array[] = [];
  #kept = 0;
  /** Every byte seen, kept or not. */
  total = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  /** Counts `chunk` and keeps what still fits under the limit. */
  add(chunk: Uint8Array): void {
    this.total += chunk.byteLength;
    const room = this.limit - this.#kept;
    if (room <= 0) return;
    const kept = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.#chunks.push(kept);
    this.#kept += kept.byteLength;
  }

  /** The kept bytes as one array. */
  bytes(): Uint8Array {
    if (this.#chunks.length === 1) return this.#chunks[0];
    const out = new Uint8Array(this.#kept);
    let at = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, at);
      at += chunk.byteLength;
    }
    this.#chunks = [out];
    return out;
  }

  /**
   * The body as text: decoded from `encoding` (gzip, x-gzip, deflate, br) when the whole body was kept, then from
   * UTF-8 once, so a character split across chunks survives. Undecodable bodies are recorded from their raw bytes.
   */
  text(encoding?: string | null): string {
    const raw = this.bytes();
    const truncated = this.total > this.#kept;
    const decoded = !truncated && encoding ? decode(raw, encoding, this.limit) : undefined;
    if (decoded) return utf8(decoded);
    return truncated ? utf8(raw) + truncationMarker(this.#kept, this.total) : utf8(raw);
  }
}

const decoder = new TextDecoder();

function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Undoes a content-encoding; undefined when it is unknown, corrupt, or decodes to more than `limit` bytes (the
 * raw bytes are recorded then, so a compression bomb cannot blow up the recorder).
 */
function decode(bytes: Uint8Array, encoding: string, limit: number): Uint8Array | undefined {
  const options = { maxOutputLength: limit };
  try {
    switch (encoding.trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return gunzipSync(bytes, options);
      case "deflate":
        try {
          return inflateSync(bytes, options);
        } catch {
          return inflateRawSync(bytes, options); // some servers send raw deflate
        }
      case "br":
        return brotliDecompressSync(bytes, options);
    }
  } catch {
    return undefined;
  }
  return undefined;
}
