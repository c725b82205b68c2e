/**
 * The runtime's `fetch` as an upstream client. The proxy uses it for an upstream reached through an HTTP proxy
 * (`HTTPS_PROXY` and friends, which Deno's fetch honours), and tests inject their own. Unlike the HTTP/1.1 client,
 * fetch undoes some content-encodings itself; the response says so with `decoded`.
 *
 * @module
 */
import { errorMessage, isDeno } from "../../../platform/runtime.ts";
import { isDecodable } from "../body_capture.ts";
import type { UpstreamBody, UpstreamClient, UpstreamResponse } from "./types.ts";

/**
 * True when the runtime's fetch decodes a body with this `content-encoding`: on Deno a single `gzip` or `br`
 * (measured on 2.9: `deflate`, `x-gzip`, `zstd` and lists arrive raw); on Node every coding of the list is one
 * of gzip, x-gzip, deflate, br.
 */
export function runtimeFetchDecodes(encoding: string | null): boolean {
  const codings = encoding?.toLowerCase().split(",").map((c) => c.trim()).filter(Boolean) ?? [];
  if (codings.length === 0) return false;
  if (isDeno) return codings.length === 1 && (codings[0] === "gzip" || codings[0] === "br");
  // Node's fetch (undici) decodes the same codings the recorder does, in any combination.
  return codings.every(isDecodable);
}

/**
 * An upstream client over `fetchFn`; `decodes` says which content-encodings it undoes itself (default: what the
 * runtime's fetch does, or none for an injected fetch).
 */
export function fetchClient(
  fetchFn: typeof fetch = (input, init) => fetch(input, init),
  decodes: (encoding: string | null) => boolean = runtimeFetchDecodes,
): UpstreamClient {
  return {
    async request({ origin, path, method, headers, body, signal }): Promise<UpstreamResponse> {
      let response: Response;
      try {
        response = await fetchFn(origin.origin + path, {
          method,
          headers: headers as [string, string][],
          body,
          redirect: "manual",
          signal,
          // Node's fetch wants this for a stream body; Deno ignores it.
          ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
        } as RequestInit);
      } catch (err) {
        // fetch says only "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
        throw new Error(errorMessage((err as Error).cause ?? err));
      }
      return {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
        decoded: decodes(response.headers.get("content-encoding")),
        body: response.body ? fetchBody(response) : null,
      };
    },
  };
}

function fetchBody(response: Response): UpstreamBody {
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  return {
    async read() {
      reader ??= response.body!.getReader();
      const { done, value } = await reader.read();
      return done ? null : value;
    },
    async bytes() {
      return new Uint8Array(await response.arrayBuffer());
    },
    cancel() {
      (reader ?? response.body!).cancel().catch(() => {});
    },
  };
}
