/**
 * Reads the client's request body for forwarding and recording. A body within the record limit is buffered, so it
 * is forwarded as bytes with a Content-Length (some upstreams want one); a larger body is forwarded as a stream
 * (what was read, then the rest as it arrives) and only its first `limit` bytes are kept for the recording.
 *
 * @module
 */
import { BodyCapture } from "./body_capture.ts";

/** The body to forward, and what the recorder keeps of it. */
export interface RequestBody {
  forward: Uint8Array | ReadableStream<Uint8Array> | null;
  capture: BodyCapture;
}

/** Reads `request`'s body as described in the module doc. */
export async function readRequestBody(request: Request, limit: number): Promise<RequestBody> {
  const capture = new BodyCapture(limit);
  if (!request.body) return { forward: null, capture };
  const length = request.headers.get("content-length");
  if (length !== null && /^\d{1,15}$/.test(length) && Number(length) <= limit) {
    // A declared length within the limit: read at once (the runtime checks the length; far cheaper than a reader).
    const bytes = new Uint8Array(await request.arrayBuffer());
    capture.add(bytes);
    return { forward: bytes, capture };
  }
  const reader = request.body.getReader();
  const read: Uint8Array[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { forward: capture.bytes(), capture };
    capture.add(value);
    read.push(value);
    if (capture.total > limit) break;
  }
  const forward = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const buffered = read.shift();
      if (buffered) return controller.enqueue(buffered);
      const { done, value } = await reader.read();
      if (done) return controller.close();
      capture.add(value);
      controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
  return { forward, capture };
}
