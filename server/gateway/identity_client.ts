/**
 * A gateway's identity (reference §10.4): the JWT Central issued, kept in `identity.json` (`{jwt, expires_at,
 * gateway_id}`, 0600 in a 0700 directory). At start it is loaded, refreshed when 24 h or less are left, or obtained
 * with the one-shot bootstrap token. While running, a JWT that enters its last 24 h is refreshed on use; a 401 from
 * Central asks for a refresh at once. Concurrent refreshes share one request.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import { atomicWrite } from "../../platform/atomic_write.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { describeFailure, retryAfterSeconds } from "../failed_response.ts";
import { decodeJwtUnverified, nowSeconds } from "../jwt.ts";
import { callCentral, CentralUnreachableError, centralUrl } from "./central_client.ts";

/** How the identity was acquired at start. */
export type IdentityOutcome = "bootstrapped" | "loaded" | "refreshed";

/** What `identity.json` holds. */
export interface PersistedIdentity {
  jwt: string;
  /** Unix seconds. */
  expires_at: number;
  gateway_id: string;
}

/** Options of an {@linkcode IdentityClient}. */
export interface IdentityClientOptions {
  /** Central's URL (`central_server.url`). */
  centralUrl: string;
  /** `identity.json`. */
  persistedPath: string;
  /** `central_server.identity.bootstrap_token`. */
  bootstrapToken?: string;
  fetch?: typeof fetch;
  /** Unix seconds. */
  now?: () => number;
  log?(line: string): void;
}

/** A JWT with this little left is refreshed. */
export const REFRESH_WINDOW_SECONDS = 24 * 3600;
/** After a failed background refresh, the next try waits this long. */
const RETRY_REFRESH_MS = 5 * 60_000;
/** How often a rate-limited or unreachable bootstrap is tried at start before giving up. */
const BOOTSTRAP_ATTEMPTS = 4;

/** The identity of one gateway. */
export class IdentityClient {
  readonly #options: IdentityClientOptions;
  readonly #fetch: typeof fetch;
  readonly #now: () => number;
  #identity: PersistedIdentity | undefined;
  #refreshing: Promise<string> | undefined;
  #lastFailedRefresh = 0;

  constructor(options: IdentityClientOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#now = options.now ?? nowSeconds;
  }

  /** The gateway id (the JWT's `sub`); empty before {@linkcode acquire}. */
  get gatewayId(): string {
    return this.#identity?.gateway_id ?? "";
  }

  /** The JWT's expiry (unix seconds). */
  get expiresAt(): number {
    return this.#identity?.expires_at ?? 0;
  }

  /**
   * Loads, refreshes or bootstraps the identity. A persisted JWT that is still valid is used even when Central
   * cannot be reached to refresh it (with a warning). Throws an Error worded for the operator when there is no
   * usable identity: `identity bootstrap failed: ...`, `failed to reach central server ...`.
   */
  async acquire(): Promise<IdentityOutcome> {
    const persisted = await this.#load();
    if (persisted) {
      this.#identity = persisted;
      const left = persisted.expires_at - this.#now();
      if (left > REFRESH_WINDOW_SECONDS) return "loaded";
      try {
        await this.refresh();
        return "refreshed";
      } catch (error) {
        if (left <= 0) {
          throw new Error(
            `${errorMessage(error)}; the JWT in ${this.#options.persistedPath} expired: issue a new bootstrap token ` +
              `(ctvs config bootstrap-token issue ${persisted.gateway_id}) and remove that file`,
          );
        }
        this.#log(`warning: ${errorMessage(error)}; using the current JWT until it expires`);
        return "loaded";
      }
    }
    await this.#bootstrap();
    return "bootstrapped";
  }

  /** The JWT to send; refreshed first when it is in its last 24 h (a failed refresh keeps the current one). */
  async jwt(): Promise<string> {
    const identity = this.#identity;
    if (!identity) throw new Error("Cannot authenticate: the gateway has no identity yet");
    const due = identity.expires_at - this.#now() <= REFRESH_WINDOW_SECONDS;
    if (due && Date.now() - this.#lastFailedRefresh > RETRY_REFRESH_MS) {
      try {
        return await this.refresh();
      } catch (error) {
        this.#lastFailedRefresh = Date.now();
        this.#log(`warning: ${errorMessage(error)}`);
      }
    }
    return this.#identity!.jwt;
  }

  /** Asks Central for a new JWT now; concurrent calls share one request. Rejects with `identity refresh failed: ...`. */
  refresh(): Promise<string> {
    this.#refreshing ??= this.#refresh().finally(() => this.#refreshing = undefined);
    return this.#refreshing;
  }

  async #refresh(): Promise<string> {
    const current = this.#identity;
    if (!current) throw new Error("identity refresh failed: there is no JWT to refresh");
    const url = centralUrl(this.#options.centralUrl, "/v1/identity/refresh");
    let response: Response;
    try {
      response = await callCentral(this.#fetch, url, {
        method: "POST",
        headers: { authorization: `Bearer ${current.jwt}` },
      });
    } catch (error) {
      throw new Error(`identity refresh failed: ${errorMessage(error)}`, { cause: error });
    }
    if (!response.ok) throw new Error(`identity refresh failed: ${await describeFailure(response)}`);
    return (await this.#store(await response.json(), "refresh")).jwt;
  }

  async #bootstrap(): Promise<void> {
    const token = this.#options.bootstrapToken;
    if (!token) throw new Error("identity bootstrap failed: central_server.identity.bootstrap_token is not set");
    const url = centralUrl(this.#options.centralUrl, "/v1/identity/bootstrap");
    for (let attempt = 1;; attempt++) {
      let response: Response;
      try {
        response = await callCentral(this.#fetch, url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ bootstrap_token: token }),
        });
      } catch (error) {
        if (!(error instanceof CentralUnreachableError) || attempt >= BOOTSTRAP_ATTEMPTS) throw error;
        this.#log(`warning: ${error.message}; trying again in ${attempt * 5} s`);
        await sleep(attempt * 5000);
        continue;
      }
      if (response.ok) {
        await this.#store(await response.json(), "bootstrap");
        return;
      }
      if (response.status === 429 && attempt < BOOTSTRAP_ATTEMPTS) {
        const wait = Math.min(60, retryAfterSeconds(response.headers.get("retry-after"), 5));
        await response.body?.cancel();
        this.#log(`warning: identity bootstrap rate limited by Central; trying again in ${Math.ceil(wait)} s`);
        await sleep(wait * 1000);
        continue;
      }
      throw new Error(`identity bootstrap failed: ${await describeFailure(response)}`);
    }
  }

  async #store(body: unknown, what: "bootstrap" | "refresh"): Promise<PersistedIdentity> {
    const { jwt, expires_at } = (body ?? {}) as { jwt?: unknown; expires_at?: unknown };
    if (typeof jwt !== "string" || typeof expires_at !== "number") {
      throw new Error(`identity ${what} failed: Central's answer has no jwt and expires_at`);
    }
    const identity = { jwt, expires_at, gateway_id: decodeJwtUnverified(jwt).sub };
    await atomicWrite(this.#options.persistedPath, JSON.stringify(identity, null, 2) + "\n");
    this.#identity = identity;
    return identity;
  }

  async #load(): Promise<PersistedIdentity | undefined> {
    let text: string;
    try {
      text = await readFile(this.#options.persistedPath, "utf8");
    } catch (error) {
      if ((error as { code?: string }).code === "ENOENT") return undefined;
      throw new Error(`Cannot read the identity ${this.#options.persistedPath}: ${errorMessage(error)}`);
    }
    try {
      const parsed = JSON.parse(text) as PersistedIdentity;
      const sub = decodeJwtUnverified(parsed.jwt).sub;
      if (typeof parsed.expires_at !== "number") throw new Error("no expires_at");
      return { jwt: parsed.jwt, expires_at: parsed.expires_at, gateway_id: sub };
    } catch (error) {
      throw new Error(
        `Cannot read the identity ${this.#options.persistedPath}: ${errorMessage(error)}; remove it to bootstrap again`,
      );
    }
  }

  #log(line: string): void {
    this.#options.log?.(line);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
