/**
 * Undoing a content-encoding as a body streams past, for the recorder only: a compressed SSE stream is relayed as
 * the upstream sent it, and its events are recorded from the decoded bytes.
 *
 * @module
 */
import zlib from "node:zlib";

/** A decoder fed chunk by chunk; decoded bytes go to the callback given at creation. */
export interface StreamDecoder {
  /** Feeds compressed bytes. After a decoding error, further bytes are ignored. */
  write(chunk: Uint8Array): void;
  /** No more input: resolves once every decoded byte was handed over (or decoding failed). */
  end(): Promise<void>;
}

/** A decoder for `encoding` (gzip, x-gzip, deflate, br), or undefined for another one. */
export function streamDecoder(encoding: string, onData: (decoded: Uint8Array) => void): StreamDecoder | undefined {
  let z: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      z = zlib.createGunzip();
      break;
    case "deflate":
      z = zlib.createInflate();
      break;
    case "br":
      z = zlib.createBrotliDecompress();
      break;
    default:
      return undefined;
  }
  let failed = false;
  const ended = new Promise<void>((resolve) => {
    z.on("data", onData);
    z.on("end", resolve);
    z.on("close", resolve);
    z.on("error", () => {
      failed = true;
      resolve();
    });
  });
  return {
    write(chunk) {
      if (!failed) z.write(chunk);
    },
    end() {
      if (!failed) z.end();
      return ended;
    },
  };
}
