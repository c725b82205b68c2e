/** Shared fixtures of the validation tests: valid blocks, builders that place a fragment in a config, a table runner. */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../platform/config/config_error.ts";
import { validateConfig } from "../../../platform/config/validate.ts";

export const SECRET = "s".repeat(32);
export const SINK = { type: "file", dir: "/var/lib/ctvs" };
export const OTEL = { listen: "127.0.0.1:4318" };
export const UPSTREAM = { name: "a", base_url: "https://a.example", match: { path_prefix: "/v1" } };
export const PROXY = { listen: "127.0.0.1:8787", upstreams: [UPSTREAM] };
export const SERVER = { control_plane_listen: "0.0.0.0:8788", identity_issuer: { secret: SECRET } };
export const CENTRAL = { url: "https://central.example:8788", identity: {} };
export const CITY = { name: "a", api_url: "http://127.0.0.1:8372" };

export type Json = Record<string, unknown>;
export const standalone = (fields: Json): Json => ({ version: 1, ...fields });
export const withOtel = (otel: unknown): Json => standalone({ otel, sink: SINK });
export const withProxy = (proxy: Json): Json => standalone({ proxy: { ...PROXY, ...proxy }, sink: SINK });
export const withUpstream = (upstream: unknown): Json => withProxy({ upstreams: [upstream] });
export const withSink = (sink: unknown): Json => standalone({ sink });
export const withUpload = (upload: Json): Json => standalone({ upload: { bucket: "b", ...upload } });
export const withServer = (server: Json): Json => ({ version: 1, role: "server", server: { ...SERVER, ...server } });
export const withIssuer = (issuer: Json): Json => withServer({ identity_issuer: issuer });
export const withRendezvous = (rendezvous: Json): Json => withServer({ rendezvous });
export const withCentral = (central: Json): Json => ({
  version: 1,
  role: "gateway",
  central_server: { ...CENTRAL, ...central },
});
export const withGascity = (gascity: unknown): Json => standalone({ gascity });
export const PATTERN_MESSAGE = "must start with [A-Za-z0-9] and contain only [A-Za-z0-9._+@-]";
export const HOST_PORT_MESSAGE = "must be host:port";

/** A rejected config: [name, config, the exact error message]. */
export type Rejection = [string, unknown, string];

/** Registers one test per row, asserting that `validateConfig` throws a ConfigError with exactly that message. */
export function testRejections(rows: Rejection[]): void {
  for (const [name, config, message] of rows) {
    test(`validateConfig() rejects ${name}`, () => {
      assert.throws(() => validateConfig(config), (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(error.message, message);
        return true;
      });
    });
  }
}
