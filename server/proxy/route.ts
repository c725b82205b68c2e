/**
 * Routing: which upstream a request path goes to.
 *
 * @module
 */
import type { UpstreamConfig } from "../../platform/config/types.ts";

/**
 * The first upstream whose `path_prefix` matches `pathname` by whole segments (`"/"` matches everything).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const up = [{ name: "a", base_url: "http://a", match: { path_prefix: "/v1/messages" } }];
 * assert.equal(matchUpstream(up, "/v1/messages/count_tokens")?.name, "a");
 * assert.equal(matchUpstream(up, "/v1/messagesX"), undefined);
 * ```
 */
export function matchUpstream(upstreams: readonly UpstreamConfig[], pathname: string): UpstreamConfig | undefined {
  return upstreams.find(({ match: { path_prefix: prefix } }) => {
    if (prefix === "/") return true;
    const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    return pathname === trimmed || pathname.startsWith(trimmed + "/");
  });
}

/**
 * The upstream's origin, parsed once: requests go to it with their own path and query (reference §4.1; a path in
 * `base_url` is not prefixed).
 */
export function upstreamOrigin(upstream: UpstreamConfig): URL {
  let origin = origins.get(upstream);
  if (origin === undefined) origins.set(upstream, origin = new URL(new URL(upstream.base_url).origin));
  return origin;
}

const origins = new WeakMap<UpstreamConfig, URL>();

/**
 * Throws `invalid base_url for upstream "<n>": ...` or `upstream "<n>" must use http:// or https://, got: <proto>`
 * for an upstream the proxy cannot forward to, so the listener fails at start rather than per request.
 */
export function checkUpstreams(upstreams: readonly UpstreamConfig[]): void {
  for (const upstream of upstreams) {
    let url: URL;
    try {
      url = new URL(upstream.base_url);
    } catch (err) {
      throw new TypeError(`invalid base_url for upstream "${upstream.name}": ${(err as Error).message}`);
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`upstream "${upstream.name}" must use http:// or https://, got: ${url.protocol}`);
    }
  }
}
