import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../platform/config/config_error.ts";
import { resolveSecrets } from "../../../platform/config/secrets.ts";
import type { Config, ServerConfig } from "../../../platform/config/types.ts";

const LONG = "k".repeat(32);

function serverConfig(server: Partial<ServerConfig>): Config {
  return {
    version: 1,
    role: "server",
    server: { control_plane_listen: "0.0.0.0:8788", identity_issuer: { secret_env: "JWT_SECRET" }, ...server },
  };
}

function assertConfigError(fn: () => unknown, message: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.message, message);
    return true;
  });
}

test("resolveSecrets() returns an equal copy of a config without a server block", () => {
  const config: Config = { version: 1, otel: { listen: "127.0.0.1:4318" }, sink: { type: "file", dir: "/d" } };
  const resolved = resolveSecrets(config, {});
  assert.deepEqual(resolved, config);
  assert.notEqual(resolved, config);
  assert.notEqual(resolved.otel, config.otel);
});

test("resolveSecrets() fills every inline twin from the environment without touching the input", () => {
  const config = serverConfig({
    public_url: "https://central.example",
    admin: { token_env: "ADMIN_TOKEN" },
    rendezvous: { url_env: "RENDEZVOUS_URL", registration_token_env: "RENDEZVOUS_TOKEN" },
  });
  const before = structuredClone(config);
  const env = {
    JWT_SECRET: LONG,
    ADMIN_TOKEN: "a".repeat(40),
    RENDEZVOUS_URL: "https://rendezvous.example",
    RENDEZVOUS_TOKEN: "t",
  };
  const resolved = resolveSecrets(config, env);
  assert.deepEqual(config, before);
  assert.deepEqual(resolved.server?.identity_issuer, { secret_env: "JWT_SECRET", secret: LONG });
  assert.deepEqual(resolved.server?.admin, { token_env: "ADMIN_TOKEN", token: "a".repeat(40) });
  assert.deepEqual(resolved.server?.rendezvous, {
    url_env: "RENDEZVOUS_URL",
    url: "https://rendezvous.example",
    registration_token_env: "RENDEZVOUS_TOKEN",
    registration_token: "t",
  });
});

test("resolveSecrets() leaves inline secrets alone", () => {
  const config = serverConfig({
    identity_issuer: { secret: LONG },
    rendezvous: { url: "https://r.example", registration_token: "t" },
  });
  assert.deepEqual(resolveSecrets(config, {}), config);
});

test("resolveSecrets() rejects an unset or empty JWT secret variable", () => {
  const message = "/server/identity_issuer/secret_env: environment variable JWT_SECRET is not set";
  assertConfigError(() => resolveSecrets(serverConfig({}), {}), message);
  assertConfigError(() => resolveSecrets(serverConfig({}), { JWT_SECRET: "" }), message);
});

test("resolveSecrets() rejects a JWT secret shorter than 32 characters", () => {
  assertConfigError(
    () => resolveSecrets(serverConfig({}), { JWT_SECRET: "k".repeat(31) }),
    "/server/identity_issuer/secret_env: environment variable JWT_SECRET must be at least 32 characters",
  );
});

test("resolveSecrets() checks the admin token variable", () => {
  const config = serverConfig({ public_url: "https://c", admin: { token_env: "ADMIN_TOKEN" } });
  assertConfigError(
    () => resolveSecrets(config, { JWT_SECRET: LONG }),
    "/server/admin/token_env: environment variable ADMIN_TOKEN is not set",
  );
  assertConfigError(
    () => resolveSecrets(config, { JWT_SECRET: LONG, ADMIN_TOKEN: "short" }),
    "/server/admin/token_env: environment variable ADMIN_TOKEN must be at least 32 characters",
  );
});

test("resolveSecrets() checks the rendezvous variables", () => {
  const config = serverConfig({ rendezvous: { url_env: "RV_URL", registration_token_env: "RV_TOKEN" } });
  assertConfigError(
    () => resolveSecrets(config, { JWT_SECRET: LONG, RV_TOKEN: "t" }),
    "/server/rendezvous/url_env: environment variable RV_URL is not set",
  );
  assertConfigError(
    () => resolveSecrets(config, { JWT_SECRET: LONG, RV_URL: "rendezvous:8789", RV_TOKEN: "t" }),
    "/server/rendezvous/url_env: environment variable RV_URL must be an http(s) URL",
  );
  assertConfigError(
    () => resolveSecrets(config, { JWT_SECRET: LONG, RV_URL: "http://r" }),
    "/server/rendezvous/registration_token_env: environment variable RV_TOKEN is not set",
  );
});
