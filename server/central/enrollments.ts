/**
 * Enrollments: the invites behind join codes (reference §10.2). `<data_dir>/enrollments.json` is a JSON array
 * `[{joinCodeHash, gatewayId, maxUses, usedCount, expiresAt, createdAt, displayName?}]` (times in unix seconds),
 * 0600, rewritten whole under a lock. The code itself is never stored: `joinCodeHash` is its sha256 keyed with
 * Central's JWT secret (platform/join_code.ts). Each use of a code mints the gateway id of that use: the enrollment's
 * `gatewayId` for a single-use code, `<gatewayId>-<n>` for the n-th use of one with several.
 *
 * @module
 */
import path from "node:path";
import { isValidGatewayId } from "../../platform/gateway_id.ts";
import { joinCodeHash, keyedJoinCodeHash, newJoinCode, normalizeJoinCode } from "../../platform/join_code.ts";
import { RecordFile } from "../../storage/record_file.ts";
import { nowSeconds } from "../jwt.ts";

/** One stored enrollment. */
export interface EnrollmentRecord {
  /** The keyed hash of the join code. */
  joinCodeHash: string;
  /** The gateway id of a single use, or the prefix of `<gatewayId>-<n>`. */
  gatewayId: string;
  maxUses: number;
  usedCount: number;
  /** Unix seconds. */
  expiresAt: number;
  /** Unix seconds. */
  createdAt: number;
  displayName?: string;
}

/**
 * Why a code was refused: `unknown` (401), `expired` (410), `use_limit` (409); or why one was not created:
 * `in_use` (another live invite mints the same gateway ids).
 */
export type EnrollmentReason = "unknown" | "expired" | "use_limit" | "in_use";

/** A code that cannot be redeemed. */
export class EnrollmentError extends Error {
  readonly reason: EnrollmentReason;

  constructor(reason: EnrollmentReason) {
    super(
      reason === "in_use"
        ? "Cannot create the invite: its gateway id is in use"
        : `Cannot redeem the join code: ${reason}`,
    );
    this.name = "EnrollmentError";
    this.reason = reason;
  }
}

/** What an invite asks for. */
export interface NewEnrollment {
  gatewayId: string;
  maxUses: number;
  ttlSeconds: number;
  displayName?: string;
}

/** One use of a code. */
export interface Redemption {
  /** The gateway id minted for this use. */
  gatewayId: string;
  /** The enrollment's `gatewayId` (the prefix of a code with several uses). */
  enrollmentGatewayId: string;
  /** Which use this was (1-based). */
  use: number;
  /** The enrollment's expiry, unix seconds. */
  expiresAt: number;
}

/** `<data_dir>/enrollments.json`. */
export function enrollmentStorePath(dataDir: string): string {
  return path.join(dataDir, "enrollments.json");
}

/** Enrollments expired for longer than this are dropped when the file is rewritten. */
const KEEP_EXPIRED_SECONDS = 30 * 24 * 3600;

/**
 * The gateway id of use `use` (1-based) of an enrollment for `gatewayId` with `maxUses` uses.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(mintedGatewayId("laptop-ada", 1, 1), "laptop-ada");
 * assert.equal(mintedGatewayId("team", 5, 2), "team-2");
 * ```
 */
export function mintedGatewayId(gatewayId: string, maxUses: number, use: number): string {
  return maxUses > 1 ? `${gatewayId}-${use}` : gatewayId;
}

/**
 * Whether every id an enrollment for `gatewayId` with `maxUses` uses would mint is a valid gateway id (the longest,
 * `<gatewayId>-<maxUses>`, must fit in 128 characters).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(mintsValidIds("team", 10), true);
 * assert.equal(mintsValidIds("t".repeat(127), 2), false);
 * assert.equal(mintsValidIds("t".repeat(128), 1), true);
 * ```
 */
export function mintsValidIds(gatewayId: string, maxUses: number): boolean {
  return isValidGatewayId(gatewayId) && isValidGatewayId(mintedGatewayId(gatewayId, maxUses, maxUses));
}

/**
 * The enrollment store at one path, keyed with one secret.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Enrollments } from "./enrollments.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "enroll-"));
 * const store = new Enrollments(join(dir, "enrollments.json"), "s".repeat(32));
 * const { joinCode } = await store.create({ gatewayId: "team", maxUses: 2, ttlSeconds: 3600 });
 * assert.equal((await readFile(store.path, "utf8")).includes(joinCode), false);
 * assert.equal((await store.redeem(joinCode.toLowerCase())).gatewayId, "team-1");
 * assert.equal((await store.redeem(joinCode)).gatewayId, "team-2");
 * await assert.rejects(store.redeem(joinCode), { reason: "use_limit" });
 * await rm(dir, { recursive: true });
 * ```
 */
export class Enrollments {
  /** The store file. */
  readonly path: string;
  readonly #secret: string;
  readonly #now: () => number;
  readonly #file: RecordFile<EnrollmentRecord>;

  /** The store at `path`, its codes keyed with `secret` (Central's JWT secret). */
  constructor(path: string, secret: string, options: { now?: () => number } = {}) {
    this.path = path;
    this.#secret = secret;
    const now = this.#now = options.now ?? nowSeconds;
    this.#file = new RecordFile(path, {
      name: "the enrollment store",
      isRecord,
      keep: (r) => r.expiresAt > now() - KEEP_EXPIRED_SECONDS,
    });
  }

  /**
   * Creates an enrollment with a new join code; returns the code (shown once) and the record. Throws an
   * {@linkcode EnrollmentError} `in_use` when a live enrollment (unexpired, with uses left) has the same gateway id.
   */
  async create(enrollment: NewEnrollment): Promise<{ joinCode: string; record: EnrollmentRecord }> {
    const { gatewayId, maxUses, ttlSeconds, displayName } = enrollment;
    if (!Number.isSafeInteger(maxUses) || maxUses < 1) throw new RangeError("Cannot create an enrollment: maxUses < 1");
    if (!mintsValidIds(gatewayId, maxUses)) {
      throw new TypeError(`Cannot create an enrollment for invalid gateway id "${gatewayId}"`);
    }
    return await this.#file.update((records) => {
      if (records.some((r) => r.gatewayId === gatewayId && live(r, this.#now()))) throw new EnrollmentError("in_use");
      let joinCode: string;
      let hash: string;
      // Two live codes alike are about as likely as guessing one; drawn again all the same.
      do {
        joinCode = newJoinCode();
        hash = this.#key(joinCode);
      } while (records.some((r) => r.joinCodeHash === hash));
      const now = this.#now();
      const record: EnrollmentRecord = {
        joinCodeHash: hash,
        gatewayId,
        maxUses,
        usedCount: 0,
        expiresAt: now + ttlSeconds,
        createdAt: now,
        ...(displayName !== undefined ? { displayName } : {}),
      };
      records.push(record);
      return { joinCode, record: { ...record } };
    });
  }

  /** Uses `joinCode` once (atomic across processes) and returns the gateway id of that use. */
  redeem(joinCode: string): Promise<Redemption> {
    const code = normalizeJoinCode(joinCode);
    if (code === undefined) return Promise.reject(new EnrollmentError("unknown"));
    const hash = this.#key(code);
    return this.#file.update((records) => {
      const record = records.find((r) => r.joinCodeHash === hash);
      if (!record) throw new EnrollmentError("unknown");
      if (record.expiresAt <= this.#now()) throw new EnrollmentError("expired");
      if (record.usedCount >= record.maxUses) throw new EnrollmentError("use_limit");
      const use = ++record.usedCount;
      return {
        gatewayId: mintedGatewayId(record.gatewayId, record.maxUses, use),
        enrollmentGatewayId: record.gatewayId,
        use,
        expiresAt: record.expiresAt,
      };
    });
  }

  /** Removes the enrollment of `joinCode`; false when there was none. */
  remove(joinCode: string): Promise<boolean> {
    const code = normalizeJoinCode(joinCode);
    if (code === undefined) return Promise.resolve(false);
    const hash = this.#key(code);
    return this.#file.update((records) => {
      const index = records.findIndex((r) => r.joinCodeHash === hash);
      if (index >= 0) records.splice(index, 1);
      return index >= 0;
    });
  }

  /** Every record (keyed hashes only). */
  list(): Promise<EnrollmentRecord[]> {
    return this.#file.read();
  }

  #key(code: string): string {
    return keyedJoinCodeHash(this.#secret, joinCodeHash(code));
  }
}

/** Unexpired, with uses left. */
function live(record: EnrollmentRecord, now: number): boolean {
  return record.expiresAt > now && record.usedCount < record.maxUses;
}

function isRecord(value: unknown): value is EnrollmentRecord {
  const r = value as EnrollmentRecord;
  return typeof r === "object" && r !== null && typeof r.joinCodeHash === "string" &&
    typeof r.gatewayId === "string" && Number.isSafeInteger(r.maxUses) && Number.isSafeInteger(r.usedCount) &&
    typeof r.expiresAt === "number" && typeof r.createdAt === "number" &&
    (r.displayName === undefined || typeof r.displayName === "string");
}
