/**
 * Keeps the part of a body the recorder needs: at most `limit` bytes, decoded to UTF-8 text at the end (after
 * undoing a gzip, deflate or br content-encoding), with a marker when the body was longer than the limit.
 *
 * @module
 */
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from "node:zlib";
import { concatBytes } from "../../storage/byte_buffer.ts";

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
  /** The kept bytes decoded, once asked for: bytes, TOO_LARGE, or null when they do not decode. */
  #decoded: Uint8Array | typeof TOO_LARGE | null | undefined;
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
    const out = concatBytes(this.#chunks);
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
    const decoded = !truncated && encoding ? this.#decode(encoding) : undefined;
    if (decoded instanceof Uint8Array) return utf8(decoded);
    return truncated ? utf8(raw) + truncationMarker(this.#kept, this.total) : utf8(raw);
  }

  /**
   * True when the whole body was kept, in `encoding`, and decodes to more than the limit: only a streamed decode
   * (see `streamDecoder`) can then record its first `limit` bytes and count the rest.
   */
  decodesPastLimit(encoding: string): boolean {
    return this.total === this.#kept && this.#decode(encoding) === TOO_LARGE;
  }

  #decode(encoding: string): Uint8Array | typeof TOO_LARGE | null {
    return this.#decoded ??= decode(this.bytes(), encoding, this.limit);
  }
}

/** What {@linkcode decode} answers for a body that decodes to more than its limit. */
const TOO_LARGE = Symbol("too large");

/** The content-encodings ctvs undoes for the recording. */
export function isDecodable(encoding: string | null | undefined): encoding is string {
  return encoding !== null && encoding !== undefined && DECODABLE.has(encoding.trim().toLowerCase());
}

const DECODABLE = new Set(["gzip", "x-gzip", "deflate", "br"]);

const decoder = new TextDecoder();

function utf8(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/**
 * Undoes a content-encoding: null when it is unknown or the bytes are corrupt, TOO_LARGE when they decode to more
 * than `limit` bytes (decoding stops there, so a compression bomb cannot blow up the recorder).
 */
function decode(bytes: Uint8Array, encoding: string, limit: number): Uint8Array | typeof TOO_LARGE | null {
  const options = { maxOutputLength: limit };
  try {
    switch (encoding.trim().toLowerCase()) {
      case "gzip":
      case "x-gzip":
        return gunzipSync(bytes, options);
      case "deflate":
        try {
          return inflateSync(bytes, options);
        } catch (err) {
          if ((err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE") throw err;
          return inflateRawSync(bytes, options); // some servers send raw deflate
        }
      case "br":
        return brotliDecompressSync(bytes, options);
    }
  } catch (err) {
    return (err as { code?: string }).code === "ERR_BUFFER_TOO_LARGE" ? TOO_LARGE : null;
  }
  return null;
}
