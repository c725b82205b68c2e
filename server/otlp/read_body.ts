/**
 * Reads a request body, undoing gzip or deflate as it streams, and refuses it (413) as soon as either the bytes on
 * the wire or the decompressed bytes pass the limit: a small gzip bomb never expands past the limit in memory.
 *
 * @module
 */
import { badData, OtlpError } from "./otlp_error.ts";
import { type Coding, requestCoding } from "./media.ts";

/**
 * The decompressed body of `request`, at most `maxBytes` long. Throws an `OtlpError`: 415 for an unknown coding,
 * 413 past the limit, 400 for a corrupt or truncated compressed body or a body that could not be read.
 */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const coding = requestCoding(request.headers.get("content-encoding"));
  const length = request.headers.get("content-length");
  const declared = length === null ? undefined : Number(length);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);
  if (request.body === null) return new Uint8Array(0);
  if (coding === "identity" && declared !== undefined && Number.isSafeInteger(declared)) {
    // The server stops the body at its Content-Length, already within the limit: read it at once, natively.
    try {
      return new Uint8Array(await request.arrayBuffer());
    } catch (error) {
      throw readFailure(error, coding);
    }
  }

  const wire = request.body.getReader();
  let stream: ReadableStream<Uint8Array>;
  try {
    const first = await firstChunk(wire);
    if (first === undefined) return new Uint8Array(0);
    stream = counted(first, wire, maxBytes);
    if (coding !== "identity") stream = stream.pipeThrough(decompression(coding, first));
  } catch (error) {
    await wire.cancel().catch(() => {});
    throw readFailure(error, "identity");
  }
  return await collect(stream, maxBytes, coding);
}

/** Reads chunks into one buffer, cancelling the stream (and so the request body) once past `maxBytes`. */
async function collect(stream: ReadableStream<Uint8Array>, maxBytes: number, coding: Coding): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge(maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    await reader.cancel().catch(() => {});
    throw readFailure(error, coding);
  }
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
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

function tooLarge(maxBytes: number): OtlpError {
  return new OtlpError("too_large", `Request body is larger than ${maxBytes} bytes (otel.max_body_bytes)`);
}

/** A 413 stays a 413; a decompression error is bad data; anything else means the body could not be read. */
function readFailure(error: unknown, coding: Coding): OtlpError {
  if (error instanceof OtlpError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  if (coding !== "identity") return badData(`Invalid ${coding} body: ${reason}`, error);
  return badData(`Cannot read the request body: ${reason}`, error);
}
