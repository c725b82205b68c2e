/**
 * `host:port` listen addresses (`otel.listen`, `proxy.listen`, `server.control_plane_listen`).
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";

/** A listen address split into what a server binds. */
export interface ListenAddress {
  /** Host name or IP address; an IPv6 address without its brackets. */
  hostname: string;
  /** 0 to 65535; 0 asks the OS for a free port. */
  port: number;
}

/**
 * Splits `host:port` (IPv6 as `[::1]:8787`) into hostname and port. Throws a {@linkcode ConfigError} reading
 * `invalid listen address "<listen>": <problem>` when the address is malformed.
 *
 * @param listen The address as written in the config.
 * @returns The hostname (IPv6 without brackets) and the port.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(parseListen("127.0.0.1:8787"), { hostname: "127.0.0.1", port: 8787 });
 * assert.deepEqual(parseListen("[::1]:4318"), { hostname: "::1", port: 4318 });
 * ```
 */
export function parseListen(listen: string): ListenAddress {
  const result = splitListen(listen);
  if (typeof result === "string") throw new ConfigError(`invalid listen address ${JSON.stringify(listen)}: ${result}`);
  return result;
}

/**
 * Splits `listen`, or returns what is wrong with it: `must be host:port`, `invalid port in host:port` or
 * `missing host in host:port`. Shared with the validator, which prefixes the JSON pointer.
 */
export function splitListen(listen: string): ListenAddress | string {
  const colon = listen.lastIndexOf(":");
  if (colon === -1) return "must be host:port";
  const portText = listen.slice(colon + 1);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535 || String(port) !== portText) return "invalid port in host:port";
  const host = listen.slice(0, colon);
  const bracketed = host.startsWith("[") && host.endsWith("]");
  const hostname = bracketed ? host.slice(1, -1) : host;
  if (hostname.length === 0) return "missing host in host:port";
  if (/[\s[\]/]/.test(hostname)) return "must be host:port";
  if (!bracketed && hostname.includes(":")) return "must be host:port (write an IPv6 address as [::1]:8787)";
  return { hostname, port };
}
