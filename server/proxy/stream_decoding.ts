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

/** A stream cut short (an upstream reset) still yields what its last bytes decode to, rather than an error. */
const CUT_SHORT = { finishFlush: zlib.constants.Z_SYNC_FLUSH };

/** A decoder for `encoding` (gzip, x-gzip, deflate, br), or undefined for another one. */
export function streamDecoder(encoding: string, onData: (decoded: Uint8Array) => void): StreamDecoder | undefined {
  let z: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress;
  switch (encoding.trim().toLowerCase()) {
    case "gzip":
    case "x-gzip":
      z = zlib.createGunzip(CUT_SHORT);
      break;
    case "deflate":
      z = zlib.createInflate(CUT_SHORT);
      break;
    case "br":
      z = zlib.createBrotliDecompress({ finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
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
