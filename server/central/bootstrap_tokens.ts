/**
 * One-shot bootstrap tokens: what an operator hands a new gateway so it can get its first JWT. The store is a JSON
 * array `[{tokenHash, gatewayId, expiresAt, used}]` (reference §10.2): only the sha256 of a token is kept, the file is
 * 0600 and rewritten whole and atomically under a lock, so replicas sharing it never hand out one token twice.
 *
 * @module
 */
import { createHash, randomBytes } from "node:crypto";
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { RecordFile } from "../../storage/record_file.ts";
import { nowSeconds } from "../jwt.ts";

/** One stored token. */
export interface BootstrapTokenRecord {
  /** sha256 hex of the token. */
  tokenHash: string;
  gatewayId: string;
  /** Unix seconds. */
  expiresAt: number;
  used: boolean;
}

/** Why a token was refused; each is a 401 `invalid bootstrap token` with this `reason`. */
export type BootstrapTokenReason = "unknown_token" | "already_used" | "expired";

/** A token that cannot be used. */
export class BootstrapTokenError extends Error {
  readonly reason: BootstrapTokenReason;

  constructor(reason: BootstrapTokenReason) {
    super(`invalid bootstrap token (${reason})`);
    this.name = "BootstrapTokenError";
    this.reason = reason;
  }
}

/** The default lifetime of a bootstrap token: 7 days. */
export const DEFAULT_BOOTSTRAP_TTL_SECONDS = 7 * 24 * 3600;

/** Records expired for longer than this are dropped when the file is rewritten. */
const KEEP_EXPIRED_SECONDS = 30 * 24 * 3600;

/**
 * The bootstrap token store at one path.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { BootstrapTokens } from "./bootstrap_tokens.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "bt-"));
 * const store = new BootstrapTokens(join(dir, "bootstrap.json"));
 * const { token } = await store.issue("gw-1", 3600);
 * assert.equal((await store.consume(token)).gatewayId, "gw-1");
 * await assert.rejects(store.consume(token), { reason: "already_used" });
 * await rm(dir, { recursive: true });
 * ```
 */
export class BootstrapTokens {
  /** The store file. */
  readonly path: string;
  readonly #now: () => number;
  readonly #file: RecordFile<BootstrapTokenRecord>;

  constructor(path: string, options: { now?: () => number } = {}) {
    this.path = path;
    const now = this.#now = options.now ?? nowSeconds;
    this.#file = new RecordFile(path, {
      name: "the bootstrap token store",
      isRecord,
      keep: (r) => r.expiresAt > now() - KEEP_EXPIRED_SECONDS,
    });
  }

  /** Creates a token for `gatewayId` valid for `ttlSeconds`; returns the plaintext (shown once) and its expiry. */
  async issue(
    gatewayId: string,
    ttlSeconds = DEFAULT_BOOTSTRAP_TTL_SECONDS,
  ): Promise<{ token: string; expiresAt: number }> {
    if (!isValidGatewayId(gatewayId)) throw new TypeError(`Cannot issue a token for invalid gateway id "${gatewayId}"`);
    const token = `bt_${randomBytes(32).toString("base64url")}`;
    const expiresAt = this.#now() + ttlSeconds;
    await this.#update((records) => {
      records.push({ tokenHash: hashToken(token), gatewayId, expiresAt, used: false });
    });
    return { token, expiresAt };
  }

  /** The gateway `token` was issued for, checked but not used up. Throws a {@linkcode BootstrapTokenError}. */
  async inspect(token: string): Promise<BootstrapTokenRecord> {
    return check(find(await this.#read(), token), this.#now());
  }

  /** Uses `token` up and returns its record; a second use throws `already_used`. Atomic across processes. */
  consume(token: string): Promise<BootstrapTokenRecord> {
    return this.#update((records) => {
      const record = check(find(records, token), this.#now());
      record.used = true;
      return record;
    });
  }

  /** Drops every unused token of `gatewayId`; returns how many. */
  revoke(gatewayId: string): Promise<number> {
    return this.#update((records) => {
      const before = records.length;
      const kept = records.filter((r) => r.gatewayId !== gatewayId || r.used);
      records.splice(0, records.length, ...kept);
      return before - kept.length;
    });
  }

  /** Every record (hashes only), for status and tests. */
  list(): Promise<BootstrapTokenRecord[]> {
    return this.#read();
  }

  #read(): Promise<BootstrapTokenRecord[]> {
    return this.#file.read();
  }

  /** Reads, changes and rewrites the store under its lock; resolves with what `change` returned. */
  #update<T>(change: (records: BootstrapTokenRecord[]) => T): Promise<T> {
    return this.#file.update(change);
  }
}

/** The sha256 hex of a token: what the store keeps. */
export function hashToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

function find(records: BootstrapTokenRecord[], token: string): BootstrapTokenRecord | undefined {
  const hash = hashToken(token);
  return records.find((r) => r.tokenHash === hash);
}

function check(record: BootstrapTokenRecord | undefined, now: number): BootstrapTokenRecord {
  if (!record) throw new BootstrapTokenError("unknown_token");
  if (record.used) throw new BootstrapTokenError("already_used");
  if (record.expiresAt <= now) throw new BootstrapTokenError("expired");
  return record;
}

function isRecord(value: unknown): value is BootstrapTokenRecord {
  const r = value as BootstrapTokenRecord;
  return typeof r === "object" && r !== null && typeof r.tokenHash === "string" && typeof r.gatewayId === "string" &&
    typeof r.expiresAt === "number" && typeof r.used === "boolean";
}
