/**
 * Reads a request body, undoing gzip or deflate as it streams, and refuses it as soon as either the bytes on the wire
 * or the decompressed bytes pass the limit: a small gzip bomb never expands past the limit in memory. The OTLP
 * receiver and Central's ingest share it; each answers a {@linkcode BodyError} in its own protocol.
 *
 * @module
 */
import { ByteBuffer } from "../storage/byte_buffer.ts";

/** A `Content-Encoding` the reader undoes. */
export type Coding = "identity" | "gzip" | "deflate";

/** Why a body could not be read: past the limit (413), a coding not undone (415), unreadable or corrupt (400). */
export type BodyErrorKind = "too_large" | "unsupported_coding" | "bad_body";

/** A body that could not be read; `message` is worded for the client. */
export class BodyError extends Error {
  /** Why. */
  readonly kind: BodyErrorKind;

  constructor(kind: BodyErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BodyError";
    this.kind = kind;
  }
}

/**
 * The content coding of a request: none, `gzip` (or `x-gzip`) or `deflate`; anything else (`br`, `zstd`, a list of
 * codings) is a {@linkcode BodyError} `unsupported_coding`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { requestCoding } from "./read_body.ts";
 *
 * assert.equal(requestCoding(" GZIP "), "gzip");
 * assert.equal(requestCoding(null), "identity");
 * assert.throws(() => requestCoding("br"), { message: "Unsupported Content-Encoding: br" });
 * ```
 */
export function requestCoding(contentEncoding: string | null): Coding {
  const coding = (contentEncoding ?? "").trim().toLowerCase();
  if (coding === "" || coding === "identity") return "identity";
  if (coding === "gzip" || coding === "x-gzip") return "gzip";
  if (coding === "deflate") return "deflate";
  throw new BodyError("unsupported_coding", `Unsupported Content-Encoding: ${contentEncoding}`);
}

/**
 * The room each read of a plain body is offered. Measured under Deno: rooms of a whole body (a megabyte) grow the
 * native heap by tens of megabytes under load, as much as chunks allocated per read do; rooms of a few bytes can wait
 * forever on a chunked body.
 */
const READ_BYTES = 256 * 1024;

/**
 * The decompressed body of `request`, at most `maxBytes` long, read into `into` (emptied first; the result is a view
 * of it). Throws a {@linkcode BodyError}: `unsupported_coding`, `too_large` past the limit, `bad_body` for a corrupt
 * or truncated compressed body or a body that could not be read.
 */
export async function readBody(request: Request, maxBytes: number, into = new ByteBuffer()): Promise<Uint8Array> {
  const coding = requestCoding(request.headers.get("content-encoding"));
  const length = request.headers.get("content-length");
  const declared = length === null ? undefined : Number(length);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  into.clear();
  if (request.body === null) return into.bytes();
  if (coding === "identity") {
    // Read straight into the buffer where the runtime can (Deno): no chunk of the body is allocated on the way.
    const byob = byobReader(request.body);
    if (byob !== undefined) {
      await readByob(byob, declared, maxBytes, into);
      return into.bytes();
    }
    // A plain body of known length arrives whole into room made for it; a compressed one grows it as it expands.
    if (declared !== undefined && Number.isSafeInteger(declared)) into.reserve(declared);
  }

  const wire = request.body.getReader();
  let reader: ReadableStreamDefaultReader<Uint8Array> = wire;
  try {
    const first = await firstChunk(wire);
    if (first === undefined) return into.bytes();
    if (coding === "identity") append(into, first, maxBytes);
    else reader = counted(first, wire, maxBytes).pipeThrough(decompression(coding, first)).getReader();
  } catch (error) {
    await wire.cancel().catch(() => {});
    throw readFailure(error, "identity");
  }
  await collect(reader, maxBytes, coding, into);
  return into.bytes();
}

/** A reader that reads into given memory, or undefined when the body is not a byte stream (Node's). */
function byobReader(body: ReadableStream<Uint8Array>): ReadableStreamBYOBReader | undefined {
  try {
    return body.getReader({ mode: "byob" });
  } catch {
    return undefined;
  }
}

/** Reads a plain body into `into`, room for all of it made at once when its length is `declared`. */
async function readByob(
  reader: ReadableStreamBYOBReader,
  declared: number | undefined,
  maxBytes: number,
  into: ByteBuffer,
): Promise<void> {
  // The whole declared body and one read more: the buffer does not grow in the middle of it.
  if (declared !== undefined && Number.isSafeInteger(declared)) into.reserve(declared + READ_BYTES);
  try {
    for (;;) {
      const done = await into.readFrom(reader, READ_BYTES);
      if (into.byteLength > maxBytes) throw tooLarge(maxBytes);
      if (done) return;
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw readFailure(error, "identity");
  }
}

/** Appends what `reader` reads to `into`, cancelling it (and so the request body) once past `maxBytes`. */
async function collect(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
  coding: Coding,
  into: ByteBuffer,
): Promise<void> {
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      append(into, value, maxBytes);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw readFailure(error, coding);
  }
}

/** Appends `chunk` to `into`, or throws a 413 when that would pass `maxBytes`. */
function append(into: ByteBuffer, chunk: Uint8Array, maxBytes: number): void {
  if (into.byteLength + chunk.byteLength > maxBytes) throw tooLarge(maxBytes);
  into.append(chunk);
}

/** The first non-empty chunk, or undefined for an empty body. */
async function firstChunk(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<Uint8Array | undefined> {
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return undefined;
    if (value.byteLength > 0) return value;
  }
}

/** The wire bytes again, `first` then the rest, erroring with a 413 once more than `maxBytes` came in. */
function counted(
  first: Uint8Array,
  rest: ReadableStreamDefaultReader<Uint8Array>,
  maxBytes: number,
): ReadableStream<Uint8Array> {
  let total = 0;
  let pending: Uint8Array | undefined = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = pending;
      pending = undefined;
      if (chunk === undefined) {
        const { done, value } = await rest.read();
        if (done) return controller.close();
        chunk = value;
      }
      total += chunk.byteLength;
      // Past the limit on the wire is past it decompressed too (nearly always), and bounds the work on junk.
      if (total > maxBytes) return controller.error(tooLarge(maxBytes));
      controller.enqueue(chunk);
    },
    cancel(reason) {
      return rest.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** A `DecompressionStream` for `coding`, typed for a stream of `Uint8Array` (what it reads and writes). */
function decompression(coding: Coding, first: Uint8Array): ReadableWritablePair<Uint8Array, Uint8Array> {
  return new DecompressionStream(format(coding, first)) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
}

/**
 * The `DecompressionStream` format: HTTP's `deflate` is the zlib format, but some clients send raw deflate, which
 * is told apart by the zlib header (compression method 8 and a header checksum divisible by 31).
 */
function format(coding: Coding, first: Uint8Array): CompressionFormat {
  if (coding === "gzip") return "gzip";
  const zlib = first.byteLength < 2 || ((first[0] & 0x0f) === 8 && ((first[0] << 8) | first[1]) % 31 === 0);
  return zlib ? "deflate" : "deflate-raw";
}

function tooLarge(maxBytes: number): BodyError {
  return new BodyError("too_large", `Request body is larger than ${maxBytes} bytes`);
}

/** A 413 stays a 413; a decompression error is bad data; anything else means the body could not be read. */
function readFailure(error: unknown, coding: Coding): BodyError {
  if (error instanceof BodyError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (coding !== "identity") return new BodyError("bad_body", `Invalid ${coding} body: ${reason}`, { cause: error });
  return new BodyError("bad_body", `Cannot read the request body: ${reason}`, { cause: error });
}
