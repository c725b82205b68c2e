/**
 * The check of a whole config that a gateway runs: what Central accepts for its registry and vends, and what a
 * gateway accepts from Central.
 *
 * @module
 */
import { ConfigError } from "./config_error.ts";
import type { Config } from "./types.ts";
import { validateConfig } from "./validate.ts";

/**
 * Checks `value` as a config a gateway would run: a valid version 1 config whose role is `"gateway"`. Returns it with
 * the validator's warnings; throws a {@linkcode ConfigError} (`<json-pointer>: <problem>`) otherwise.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const gateway = { version: 1, role: "gateway", central_server: { url: "http://c:8788", identity: {} } };
 * assert.equal(validateGatewayConfig(gateway).config.role, "gateway");
 * assert.throws(() => validateGatewayConfig({ version: 1 }), { message: /^\/role: a registered config must/ });
 * ```
 */
export function validateGatewayConfig(value: unknown): { config: Config; warnings: string[] } {
  const result = validateConfig(value);
  if (result.config.role !== "gateway") {
    throw new ConfigError(
      '/role: a registered config must have role "gateway" (and a central_server block naming this server)',
    );
  }
  return result;
}
