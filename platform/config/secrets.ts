/**
 * Runtime secrets: the `*_env` fields of the `server` block name environment variables whose values replace the
 * inline fields at startup, so a config (an ECS task definition, a file in git) never holds the secret itself.
 *
 * @module
 */
import { isHttpUrl } from "./_checks.ts";
import { ConfigError } from "./config_error.ts";
import { SECRET_MIN_LENGTH } from "./validate_server.ts";
import type { Config } from "./types.ts";

/** The environment as a plain record (`process.env` fits). */
export type Env = Record<string, string | undefined>;

/**
 * Returns a deep copy of `config` in which every `*_env` secret is read from `env` into its inline twin:
 * `server.identity_issuer.secret_env` into `secret`, `server.admin.token_env` into `token`, `server.rendezvous.url_env`
 * into `url` and `server.rendezvous.registration_token_env` into `registration_token`. The `*_env` fields stay, so
 * the copy is for running, not for validating again. `config` is never changed. Throws a {@linkcode ConfigError}
 * reading `<pointer>: environment variable X is not set` (unset or empty), `... must be at least 32 characters`
 * (JWT secret, admin token) or `... must be an http(s) URL` (rendezvous URL).
 *
 * @param config A validated config.
 * @param env The environment to read.
 * @returns The config with its secrets filled in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const config = {
 *   version: 1 as const,
 *   role: "server" as const,
 *   server: { control_plane_listen: "0.0.0.0:8788", identity_issuer: { secret_env: "JWT_SECRET" } },
 * };
 * const resolved = resolveSecrets(config, { JWT_SECRET: "x".repeat(32) });
 * assert.equal(resolved.server?.identity_issuer.secret, "x".repeat(32));
 * assert.equal("secret" in config.server.identity_issuer, false);
 * ```
 */
export function resolveSecrets(config: Config, env: Env): Config {
  const resolved = structuredClone(config);
  const server = resolved.server;
  if (!server) return resolved;
  const issuer = server.identity_issuer;
  if (issuer?.secret_env !== undefined) {
    issuer.secret = readLongSecret(env, issuer.secret_env, "/server/identity_issuer/secret_env");
  }
  const admin = server.admin;
  if (admin?.token_env !== undefined) {
    admin.token = readLongSecret(env, admin.token_env, "/server/admin/token_env");
  }
  const rendezvous = server.rendezvous;
  if (rendezvous?.url_env !== undefined) {
    const url = readVariable(env, rendezvous.url_env, "/server/rendezvous/url_env");
    if (!isHttpUrl(url)) {
      throw new ConfigError(
        `/server/rendezvous/url_env: environment variable ${rendezvous.url_env} must be an http(s) URL`,
      );
    }
    rendezvous.url = url;
  }
  if (rendezvous?.registration_token_env !== undefined) {
    const pointer = "/server/rendezvous/registration_token_env";
    rendezvous.registration_token = readVariable(env, rendezvous.registration_token_env, pointer);
  }
  return resolved;
}

/** The value of `name`, which must be set and non-empty. */
function readVariable(env: Env, name: string, pointer: string): string {
  const value = env[name];
  if (!value) throw new ConfigError(`${pointer}: environment variable ${name} is not set`);
  return value;
}

/** The value of `name`, which must be at least {@linkcode SECRET_MIN_LENGTH} characters long. */
function readLongSecret(env: Env, name: string, pointer: string): string {
  const value = readVariable(env, name, pointer);
  if (value.length < SECRET_MIN_LENGTH) {
    throw new ConfigError(`${pointer}: environment variable ${name} must be at least ${SECRET_MIN_LENGTH} characters`);
  }
  return value;
}
