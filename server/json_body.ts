/**
 * Small JSON request bodies (Central's identity, enrollment and invite requests, the rendezvous service's): read up to
 * a limit, parsed, required to be an object.
 *
 * @module
 */
import { HttpError } from "./http_error.ts";

/**
 * The JSON object in `request`'s body, at most `maxBytes` long. Throws a 413 `request body too large`, or a 400
 * `invalid JSON body` / `body must be a JSON object`.
 */
export async function readJsonObject(request: Request, maxBytes: number): Promise<Record<string, unknown>> {
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw new HttpError(413, { error: "request body too large" });
  const chunks: Uint8Array[] = [];
  let total = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new HttpError(413, { error: "request body too large" });
      }
      chunks.push(value);
    }
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer()));
  } catch {
    throw new HttpError(400, { error: "invalid JSON body" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, { error: "body must be a JSON object" });
  }
  return value as Record<string, unknown>;
}
