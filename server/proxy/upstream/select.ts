/**
 * Which client reaches an upstream: the HTTP/1.1 client, unless the runtime's fetch would go through an HTTP proxy
 * for it (Deno's fetch honours `HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY` and `NO_PROXY`); then fetch, so ctvs
 * behind a corporate proxy reaches its upstreams as before.
 *
 * @module
 */
import process from "node:process";
import type { UpstreamConfig } from "../../../platform/config/types.ts";
import { isDeno } from "../../../platform/runtime.ts";
import { fetchClient } from "./fetch_client.ts";
import { Http1Client } from "./http1_client.ts";
import type { UpstreamClient } from "./types.ts";

/** One client per upstream, chosen once; the HTTP/1.1 client's pool is shared by all upstreams. */
export function upstreamClients(env = process.env): (upstream: UpstreamConfig) => UpstreamClient {
  const direct = new Http1Client();
  let viaProxy: UpstreamClient | undefined;
  const chosen = new WeakMap<UpstreamConfig, UpstreamClient>();
  return (upstream) => {
    let client = chosen.get(upstream);
    if (client === undefined) {
      client = isDeno && proxiedByEnv(new URL(upstream.base_url), env) ? viaProxy ??= fetchClient() : direct;
      chosen.set(upstream, client);
    }
    return client;
  };
}

/** Whether the proxy variables in `env` send requests for `url` through an HTTP proxy. */
export function proxiedByEnv(url: URL, env: Record<string, string | undefined>): boolean {
  const get = (name: string) => env[name] || env[name.toLowerCase()] || undefined;
  const proxy = url.protocol === "https:" ? get("HTTPS_PROXY") : get("HTTP_PROXY");
  if (!(proxy ?? get("ALL_PROXY"))) return false;
  const host = url.hostname.toLowerCase();
  const exempt = (get("NO_PROXY") ?? "").split(",").map((e) => e.trim().toLowerCase()).filter(Boolean);
  return !exempt.some((entry) => {
    if (entry === "*") return true;
    const name = entry.replace(/:\d+$/, "").replace(/^\*?\./, "");
    return host === name || host.endsWith("." + name);
  });
}
