/**
 * Which response content-encodings the runtime's `fetch` undoes by itself. Such a body reaches the proxy already
 * decoded while its `content-encoding` and `content-length` headers still describe the compressed bytes, so the
 * proxy must drop those two headers when it relays the body (as Hono's proxy helper does).
 *
 * @module
 */
import { isDeno } from "../../platform/runtime.ts";

/** Node's fetch (undici) decodes each of these, in any combination. */
const UNDICI_CODINGS = new Set(["gzip", "x-gzip", "deflate", "br"]);

/**
 * True when the runtime's fetch decodes a body with this `content-encoding`: on Deno a single `gzip` or `br`
 * (measured on 2.9: `deflate`, `x-gzip`, `zstd` and lists arrive raw); on Node every coding of the list is one
 * of gzip, x-gzip, deflate, br.
 */
export function runtimeFetchDecodes(encoding: string | null): boolean {
  const codings = encoding?.toLowerCase().split(",").map((c) => c.trim()).filter(Boolean) ?? [];
  if (codings.length === 0) return false;
  if (isDeno) return codings.length === 1 && (codings[0] === "gzip" || codings[0] === "br");
  return codings.every((c) => UNDICI_CODINGS.has(c));
}
