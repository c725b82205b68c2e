/**
 * The rendezvous service's store (reference §10.7): for each invite Central registered, the keyed hash of its join
 * code and what a new host needs to find Central (its URL, the gateway id, the expiry, a display name). Never a code,
 * a config, a JWT or a token. `<data-dir>/invites.json`, a JSON array rewritten whole under a lock, 0600 in a 0700
 * folder, so it survives restarts and replicas sharing the volume agree.
 *
 * An expired invite is kept for a week as a bare hash and expiry (its connect details dropped by the sweep), so a
 * late user hears "expired, ask for a new code" rather than "unknown code, check for typos".
 *
 * @module
 */
import path from "node:path";
import { keyedJoinCodeHash } from "../../platform/join_code.ts";
import { RecordFile } from "../../storage/record_file.ts";
import type { InviteRegistration } from "../rendezvous_wire.ts";

/** One stored invite; `connect_url` and `gateway_id` are absent once it expired and was swept. */
export interface StoredInvite {
  /** The join code's sha256, keyed with the registration token. */
  code_hash: string;
  connect_url?: string;
  gateway_id?: string;
  /** ISO time. */
  expires_at: string;
  display_name?: string;
}

/** What a resolve finds. */
export type Resolution =
  | { status: "found"; invite: Required<Pick<StoredInvite, "connect_url" | "gateway_id">> & StoredInvite }
  | { status: "expired" }
  | { status: "unknown" };

/** How long an expired invite is remembered (as a hash and expiry only). */
export const EXPIRED_KEPT_MS = 7 * 24 * 3600 * 1000;

/** At most this many invites are live at once; more is refused (a registration token leaked, or a loop). */
export const MAX_LIVE_INVITES = 10_000;

/** A registration the store refuses: `duplicate` (409) or `full` (503). */
export class InviteStoreError extends Error {
  constructor(readonly reason: "duplicate" | "full", message: string) {
    super(message);
    this.name = "InviteStoreError";
  }
}

/**
 * The invites under one data directory, keyed with the registration token.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { joinCodeHash } from "../../platform/join_code.ts";
 * import { InviteStore } from "./invite_store.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "rv-"));
 * const store = new InviteStore(dir, "registration-token-".repeat(2));
 * const expires_at = new Date(Date.now() + 60_000).toISOString();
 * const hash = joinCodeHash("ABCDEFGHJK");
 * await store.register({ join_code_hash: hash, connect_url: "https://c", gateway_id: "gw", expires_at });
 * assert.equal((await store.resolve(hash)).status, "found");
 * assert.equal((await readFile(store.path, "utf8")).includes(hash), false);
 * await rm(dir, { recursive: true });
 * ```
 */
export class InviteStore {
  /** `<data-dir>/invites.json`. */
  readonly path: string;
  readonly #token: string;
  readonly #now: () => number;
  readonly #file: RecordFile<StoredInvite>;

  constructor(dataDir: string, registrationToken: string, options: { now?: () => number } = {}) {
    this.path = path.join(dataDir, "invites.json");
    this.#token = registrationToken;
    const now = this.#now = options.now ?? Date.now;
    this.#file = new RecordFile(this.path, {
      name: "the rendezvous store",
      isRecord,
      keep: (r) => Date.parse(r.expires_at) > now() - EXPIRED_KEPT_MS,
    });
  }

  /** Stores `invite`; throws an {@linkcode InviteStoreError} for a live duplicate or a full store. */
  register(invite: InviteRegistration): Promise<void> {
    const key = this.#key(invite.join_code_hash);
    return this.#file.update((records) => {
      const now = this.#now();
      const index = records.findIndex((r) => r.code_hash === key);
      if (index >= 0 && Date.parse(records[index].expires_at) > now) {
        throw new InviteStoreError("duplicate", "an invite with this join code is already registered");
      }
      if (records.filter((r) => Date.parse(r.expires_at) > now).length >= MAX_LIVE_INVITES) {
        throw new InviteStoreError("full", `the rendezvous store holds ${MAX_LIVE_INVITES} live invites`);
      }
      if (index >= 0) records.splice(index, 1);
      records.push({
        code_hash: key,
        connect_url: invite.connect_url,
        gateway_id: invite.gateway_id,
        expires_at: invite.expires_at,
        ...(invite.display_name !== undefined ? { display_name: invite.display_name } : {}),
      });
    });
  }

  /** The invite of a join code's sha256 hex. */
  async resolve(joinCodeHash: string): Promise<Resolution> {
    const key = this.#key(joinCodeHash);
    const record = (await this.#file.read()).find((r) => r.code_hash === key);
    if (!record) return { status: "unknown" };
    if (Date.parse(record.expires_at) <= this.#now() || !record.connect_url || !record.gateway_id) {
      return { status: "expired" };
    }
    return { status: "found", invite: { ...record, connect_url: record.connect_url, gateway_id: record.gateway_id } };
  }

  /** Removes the invite of a join code's sha256 hex; false when there was none. */
  remove(joinCodeHash: string): Promise<boolean> {
    const key = this.#key(joinCodeHash);
    return this.#file.update((records) => {
      const index = records.findIndex((r) => r.code_hash === key);
      if (index >= 0) records.splice(index, 1);
      return index >= 0;
    });
  }

  /**
   * Drops the connect details of expired invites and forgets those expired for a week; rewrites the file only when
   * there is something to do. Resolves with how many invites it changed or dropped.
   */
  async sweep(): Promise<number> {
    const due = (r: StoredInvite, now: number) => {
      const expires = Date.parse(r.expires_at);
      return (expires <= now && r.connect_url !== undefined) || expires <= now - EXPIRED_KEPT_MS;
    };
    if (!(await this.#file.read()).some((r) => due(r, this.#now()))) return 0;
    return await this.#file.update((records) => {
      const now = this.#now();
      let changed = 0;
      for (const [i, r] of records.entries()) {
        if (!due(r, now)) continue;
        changed++;
        records[i] = { code_hash: r.code_hash, expires_at: r.expires_at };
      }
      return changed;
    });
  }

  /** Every record (keyed hashes and connect details only). */
  list(): Promise<StoredInvite[]> {
    return this.#file.read();
  }

  #key(joinCodeHash: string): string {
    return keyedJoinCodeHash(this.#token, joinCodeHash);
  }
}

function isRecord(value: unknown): value is StoredInvite {
  const r = value as StoredInvite;
  return typeof r === "object" && r !== null && typeof r.code_hash === "string" && typeof r.expires_at === "string" &&
    !Number.isNaN(Date.parse(r.expires_at)) &&
    (r.connect_url === undefined || typeof r.connect_url === "string") &&
    (r.gateway_id === undefined || typeof r.gateway_id === "string") &&
    (r.display_name === undefined || typeof r.display_name === "string");
}
