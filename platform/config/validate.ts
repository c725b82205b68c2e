/**
 * Validation of a whole version 1 config: the version check, top-level keys, the role and its cross-rules, then each
 * block in a fixed order, stopping at the first error.
 *
 * @module
 */
import { GATEWAY_ID_MAX_LENGTH, GATEWAY_ID_PATTERN } from "../gateway_id.ts";
import { checkOneOf, checkStringArray, child, fail, has, isObject } from "./_checks.ts";
import type { Config, Role } from "./types.ts";
import { validateCentralServer } from "./validate_central_server.ts";
import { validateGascity } from "./validate_gascity.ts";
import { validateOtel } from "./validate_otel.ts";
import { validateProxy } from "./validate_proxy.ts";
import { validateQuery } from "./validate_query.ts";
import { validateServer } from "./validate_server.ts";
import { validateSink } from "./validate_sink.ts";
import { validateUpload } from "./validate_upload.ts";

/** The top-level keys this binary understands, in the order the validator checks them. */
export const TOP_LEVEL_KEYS: readonly string[] = [
  "version",
  "role",
  "gateway_id",
  "otel",
  "proxy",
  "sink",
  "upload",
  "query",
  "server",
  "central_server",
  "gascity",
  "ignored_paths",
];

const ROLES: readonly Role[] = ["server", "gateway", "standalone"];
const REQUIRES_VERSION = "This collectivus binary requires version: 1.";

/** Options of {@linkcode validateConfig}. */
export interface ValidateOptions {
  /** Unknown top-level keys are errors instead of warnings (`--strict`). */
  strict?: boolean;
}

/** A valid config and the warnings found on the way. */
export interface ValidationResult {
  /** The input itself, now known to be valid; nothing is defaulted, unknown top-level keys stay. */
  config: Config;
  /** One line per unknown top-level key, worded for stderr (without a trailing newline). */
  warnings: string[];
}

/**
 * Checks a parsed config against schema v1 and returns it typed, with warnings for unknown top-level keys (errors
 * with `strict`). Throws a {@linkcode ConfigError} for the first problem, reading `<json-pointer>: <problem>`; a file
 * without `version` (the v0 format) gets `/version: missing "version" field. ...`.
 *
 * @param value A parsed config (see `parseConfigText`).
 * @param options `strict` turns unknown top-level keys into errors.
 * @returns The same value typed as {@linkcode Config}, and the warnings.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const { config, warnings } = validateConfig({ version: 1, role: "standalone", extra: true });
 * assert.equal(config.role, "standalone");
 * assert.equal(warnings.length, 1);
 * assert.throws(() => validateConfig({ otel: { listen: "127.0.0.1:4318" } }), {
 *   message: '/version: missing "version" field. This collectivus binary requires version: 1.',
 * });
 * ```
 */
export function validateConfig(value: unknown, options: ValidateOptions = {}): ValidationResult {
  if (!isObject(value)) fail("/", "must be an object");
  const config = value;
  if (!has(config, "version")) fail("/version", `missing "version" field. ${REQUIRES_VERSION}`);
  if (config.version !== 1) {
    fail("/version", `unsupported version ${JSON.stringify(config.version)}. ${REQUIRES_VERSION}`);
  }
  const warnings = checkTopLevelKeys(config, options.strict ?? false);

  const role = has(config, "role") ? checkOneOf(config.role, "/role", ROLES) : "standalone";
  if (has(config, "gateway_id")) validateGatewayIdField(config.gateway_id, role);
  if (has(config, "otel")) validateOtel(config.otel);
  if (has(config, "proxy")) validateProxy(config.proxy);
  if ((has(config, "otel") || has(config, "proxy")) && !has(config, "sink") && role !== "gateway") {
    fail("/sink", "sink is required when otel or proxy is configured");
  }
  if (has(config, "sink")) validateSink(config.sink);
  if (has(config, "upload")) validateUpload(config.upload);
  if (has(config, "query")) validateQuery(config.query);
  checkRoleBlocks(config, role);
  if (has(config, "server")) validateServer(config.server);
  if (has(config, "central_server")) validateCentralServer(config.central_server);
  if (has(config, "gascity")) validateGascity(config.gascity);
  if (has(config, "ignored_paths")) checkStringArray(config.ignored_paths, "/ignored_paths");
  return { config: config as unknown as Config, warnings };
}

/** Warns about (or, when strict, rejects) top-level keys this binary does not know, in the file's order. */
function checkTopLevelKeys(config: Record<string, unknown>, strict: boolean): string[] {
  const recognized = TOP_LEVEL_KEYS.map((key) => JSON.stringify(key)).join(", ");
  const warnings: string[] = [];
  for (const key of Object.keys(config)) {
    if (TOP_LEVEL_KEYS.includes(key)) continue;
    if (strict) fail(child("", key), `unknown key ${JSON.stringify(key)}`);
    warnings.push(
      `warning: unknown config key ${JSON.stringify(key)} ignored (this collectivus binary recognizes: ${recognized})`,
    );
  }
  return warnings;
}

/** `gateway_id` is set by hand only in standalone mode, and must be a valid id. */
function validateGatewayIdField(value: unknown, role: Role): void {
  if (role !== "standalone") {
    fail("/gateway_id", `gateway_id is only permitted when role is "standalone"; ${role} mode derives it from the JWT`);
  }
  if (typeof value !== "string" || value.length === 0) fail("/gateway_id", "must be a non-empty string");
  if (value.length > GATEWAY_ID_MAX_LENGTH) fail("/gateway_id", `must be at most ${GATEWAY_ID_MAX_LENGTH} characters`);
  if (!GATEWAY_ID_PATTERN.test(value)) {
    fail("/gateway_id", "must start with [A-Za-z0-9] and contain only [A-Za-z0-9._+@-]");
  }
}

/** `server` belongs to the server role and `central_server` to the gateway role, each required there. */
function checkRoleBlocks(config: Record<string, unknown>, role: Role): void {
  const hasServer = has(config, "server");
  const hasCentral = has(config, "central_server");
  if (role === "server") {
    if (!hasServer) fail("/server", 'server block is required when role is "server"');
    if (hasCentral) fail("/central_server", 'central_server is not permitted when role is "server"');
  } else if (role === "gateway") {
    if (!hasCentral) fail("/central_server", 'central_server block is required when role is "gateway"');
    if (hasServer) fail("/server", 'server is not permitted when role is "gateway"');
  } else {
    if (hasServer) fail("/server", 'server is only permitted when role is "server"');
    if (hasCentral) fail("/central_server", 'central_server is only permitted when role is "gateway"');
  }
}
