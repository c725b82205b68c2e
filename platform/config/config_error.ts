/**
 * The one error type of config loading and validation.
 *
 * @module
 */

/**
 * A config that cannot be loaded or is not valid. The message is what the user should read, without the
 * `config error: ` prefix the CLI adds; validation messages read `<json-pointer>: <problem>`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const error = new ConfigError("/role: must be one of \"server\", \"gateway\", \"standalone\"");
 * assert.equal(error.name, "ConfigError");
 * assert.ok(error instanceof Error);
 * ```
 */
export class ConfigError extends Error {
  /** Creates the error with a message meant for the user. */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "ConfigError";
  }
}
