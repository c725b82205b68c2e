/**
 * The recording LLM proxy as a Hono app.
 *
 * This build routes by `proxy.upstreams` and answers the banner and the no-match 404; forwarding, streaming and
 * recording are the proxy's own piece of work and plug in here.
 *
 * @module
 */
import { Hono } from "hono";
import type { ProxyConfig, UpstreamConfig } from "../../platform/config/types.ts";
import { banner } from "../banner.ts";

/** Builds the proxy's app for `config`. */
export function proxyApp(config: ProxyConfig): Hono {
  const app = new Hono();
  app.all("*", (c) => {
    const upstream = matchUpstream(config.upstreams, c.req.path);
    if (!upstream) {
      if (c.req.method === "GET" && c.req.path === "/") return c.text(banner());
      return c.json({ error: "no upstream matches path", path: c.req.path }, 404);
    }
    return c.json({ error: "proxy forwarding is not available in this build yet", upstream: upstream.name }, 501);
  });
  return app;
}

/** The first upstream whose `path_prefix` matches `pathname` by whole segments (`"/"` matches everything). */
export function matchUpstream(upstreams: readonly UpstreamConfig[], pathname: string): UpstreamConfig | undefined {
  return upstreams.find(({ match: { path_prefix: prefix } }) => {
    if (prefix === "/") return true;
    const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
    return pathname === trimmed || pathname.startsWith(trimmed + "/");
  });
}
