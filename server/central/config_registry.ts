/**
 * The configs the Central server vends: `<data_dir>/configs/<gateway_id>.json`, each a gateway config checked by the
 * same validator a gateway runs, stored as canonical JSON (sorted keys, no whitespace, 0600) whose sha256 is its ETag.
 * A gateway without a file here is revoked: it can no longer ship, refresh or poll (reference §10.1, §10.2).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { readdir, readFile, stat, unlink } from "node:fs/promises";
import path from "node:path";
import { canonicalJson } from "../../platform/canonical_json.ts";
import type { Config } from "../../platform/config/types.ts";
import { validateGatewayConfig } from "../../platform/config/validate_gateway_config.ts";
import { GATEWAY_ID_MAX_LENGTH, isValidGatewayId } from "../../platform/gateway_id.ts";
import { atomicWrite } from "../../platform/atomic_write.ts";

/** A registered config as served. */
export interface RegisteredConfig {
  config: Config;
  /** The canonical JSON text. */
  text: string;
  /** sha256 hex of `text`. */
  etag: string;
}

/**
 * The message for an id that cannot name a registry file.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(invalidGatewayIdMessage("../x"), /^invalid gateway-id "..\/x": must start with/);
 * ```
 */
export function invalidGatewayIdMessage(id: string): string {
  return `invalid gateway-id ${JSON.stringify(id)}: must start with [A-Za-z0-9] and contain only [A-Za-z0-9._+@-] ` +
    `(max ${GATEWAY_ID_MAX_LENGTH} chars); cannot be "." or ".."`;
}

/** The sha256 hex of a canonical config text. */
export function configEtag(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The registry under one data directory. Reads go to the files every time, so replicas sharing the directory, and
 * the operator CLI writing to it, are seen at once.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { ConfigRegistry } from "./config_registry.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "registry-"));
 * const registry = new ConfigRegistry(dir);
 * const config = { version: 1, role: "gateway", central_server: { url: "http://c:8788", identity: {} } };
 * const { etag } = await registry.set("gw-1", config);
 * assert.equal((await registry.get("gw-1"))?.etag, etag);
 * assert.deepEqual(await registry.list(), ["gw-1"]);
 * assert.equal(await registry.delete("gw-1"), true);
 * assert.equal(await registry.get("gw-1"), undefined);
 * await rm(dir, { recursive: true });
 * ```
 */
export class ConfigRegistry {
  /** `<data_dir>/configs`. */
  readonly dir: string;

  constructor(dataDir: string) {
    this.dir = path.join(dataDir, "configs");
  }

  /** Validates and stores `config` for `gatewayId`; returns its ETag and the validator's warnings. */
  async set(gatewayId: string, config: unknown): Promise<{ etag: string; warnings: string[] }> {
    const file = this.#file(gatewayId);
    const { config: valid, warnings } = validateGatewayConfig(config);
    const text = canonicalJson(valid);
    await atomicWrite(file, text);
    return { etag: configEtag(text), warnings };
  }

  /** The registered config of `gatewayId`, or undefined. */
  async get(gatewayId: string): Promise<RegisteredConfig | undefined> {
    let raw: string;
    try {
      raw = await readFile(this.#file(gatewayId), "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw error;
    }
    let config: Config;
    try {
      config = JSON.parse(raw);
    } catch {
      throw new Error(`Cannot read the registered config ${this.#file(gatewayId)}: it is not JSON`);
    }
    const text = canonicalJson(config);
    return { config, text, etag: configEtag(text) };
  }

  /** Whether `gatewayId` has a config (and so may ship, refresh and poll). */
  async has(gatewayId: string): Promise<boolean> {
    if (!isValidGatewayId(gatewayId)) return false;
    try {
      return (await stat(this.#file(gatewayId))).isFile();
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw error;
    }
  }

  /** Removes the config of `gatewayId` (revoking it); false when there was none. */
  async delete(gatewayId: string): Promise<boolean> {
    try {
      await unlink(this.#file(gatewayId));
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return false;
      throw error;
    }
  }

  /** The registered gateway ids, sorted. */
  async list(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return [];
      throw error;
    }
    return names.filter((n) => n.endsWith(".json")).map((n) => n.slice(0, -5)).filter(isValidGatewayId).sort();
  }

  #file(gatewayId: string): string {
    if (!isValidGatewayId(gatewayId)) throw new TypeError(invalidGatewayIdMessage(gatewayId));
    return path.join(this.dir, `${gatewayId}.json`);
  }
}
