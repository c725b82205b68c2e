/**
 * The address of the peer that sent a request, from what the runtime adapter passes as Hono's `env`:
 * Deno.serve's `info.remoteAddr`, or @hono/node-server's `incoming.socket`.
 *
 * @module
 */

/**
 * The peer's IP address, or undefined when the runtime did not say (as in `app.request()` without an env).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(clientAddress({ remoteAddr: { hostname: "127.0.0.1", port: 5 } }), "127.0.0.1");
 * assert.equal(clientAddress({ incoming: { socket: { remoteAddress: "::1" } } }), "::1");
 * ```
 */
export function clientAddress(env: unknown): string | undefined {
  // deno-lint-ignore no-explicit-any
  const e = env as any;
  const address = e?.remoteAddr?.hostname ?? e?.incoming?.socket?.remoteAddress;
  return typeof address === "string" ? address : undefined;
}

/**
 * Whether `address` is a loopback address (127.0.0.0/8, ::1, or IPv4-mapped 127.x).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(isLoopback("127.0.0.2"), true);
 * assert.equal(isLoopback("::ffff:127.0.0.1"), true);
 * assert.equal(isLoopback("192.168.1.4"), false);
 * assert.equal(isLoopback(undefined), false);
 * ```
 */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith("::ffff:") ? address.slice(7) : address;
  return address === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

const LOOPBACK_HOST = /^(localhost|127\.\d{1,3}\.\d{1,3}\.\d{1,3}|\[::1\])(:\d{1,5})?$/i;

/**
 * Whether a `Host` (a request's host and port) names this machine's loopback. A web page that a DNS rebinding pointed
 * at a loopback server still sends its own name, so a local-only endpoint that checks this answers no web page.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(loopbackHost("127.0.0.1:8080"), true);
 * assert.equal(loopbackHost("[::1]:1"), true);
 * assert.equal(loopbackHost("attacker.example:8080"), false);
 * ```
 */
export function loopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}
