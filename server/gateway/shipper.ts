/**
 * Ships one signal's outbox to Central (reference §10.5): claim the oldest ready batch, POST it to
 * `/v1/ingest/<signal>` with the gateway's JWT and the batch id, then act on the answer: 2xx deletes the batch; 401
 * refreshes the JWT once and sends again; 429 and 503 wait for `Retry-After`; other 5xx and network failures back off
 * 1 s, 2 s, 4 s ... up to 300 s and try again, forever; any other 4xx is a poison batch, moved aside and counted.
 * A batch is only ever deleted after Central answered 2xx, so delivery is at least once; Central drops what it
 * already has, so rows land exactly once.
 *
 * @module
 */
import { errorMessage } from "../../platform/runtime.ts";
import type { Claim, Outbox, OutboxSignal } from "../../storage/outbox/outbox.ts";
import { BATCH_ID_HEADER } from "../batch_id.ts";
import { describeFailure, retryAfterSeconds } from "../failed_response.ts";
import { callCentral, centralUrl } from "./central_client.ts";
import type { IdentityClient } from "./identity_client.ts";

/** Options of a {@linkcode Shipper}. */
export interface ShipperOptions {
  outbox: Outbox;
  signal: OutboxSignal;
  centralUrl: string;
  identity: Pick<IdentityClient, "jwt" | "refresh">;
  log(line: string): void;
  fetch?: typeof fetch;
  /** The longest back-off (default 300 s). */
  maxBackoffMs?: number;
}

/** What the shipper has done since it started, for status and tests. */
export interface ShipperCounts {
  batches: number;
  poison: number;
}

const FIRST_BACKOFF_MS = 1000;
const DEFAULT_MAX_BACKOFF_MS = 300_000;

/** Sends one signal's batches while it runs. */
export class Shipper {
  readonly counts: ShipperCounts = { batches: 0, poison: 0 };
  readonly #options: ShipperOptions;
  readonly #fetch: typeof fetch;
  readonly #stop = new AbortController();
  #loop: Promise<void> | undefined;
  #backoffMs = 0;
  /** The last failure logged, so a long outage is one line, not one a try. */
  #lastProblem = "";

  constructor(options: ShipperOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  /** Starts sending in the background. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Stops: the batch being sent goes back to the ready ones. Resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.#stop.abort();
    await this.#loop;
  }

  async #run(): Promise<void> {
    const { outbox, signal } = this.#options;
    while (!this.#stop.signal.aborted) {
      let claim: Claim | undefined;
      // Taken before the look: a batch made ready during it wakes the wait below at once.
      const mark = outbox.readyMark(signal);
      try {
        claim = await outbox.claim(signal);
      } catch (error) {
        this.#problem(`cannot read the outbox: ${errorMessage(error)}`);
        await this.#sleep(this.#nextBackoff());
        continue;
      }
      if (!claim) {
        await outbox.waitForReady(signal, this.#stop.signal, mark);
        continue;
      }
      try {
        await this.#ship(claim);
      } catch (error) {
        this.#problem(`cannot ship ${claim.id}: ${errorMessage(error)}`);
        await this.#sleep(this.#nextBackoff());
      }
      if (this.#stop.signal.aborted) await outbox.release(claim).catch(() => {});
    }
  }

  /** Sends `claim` until Central takes or refuses it, or the shipper stops. */
  async #ship(claim: Claim): Promise<void> {
    const { outbox, signal, identity } = this.#options;
    const body = await outbox.readBytes(claim);
    if (body.byteLength === 0) return await outbox.done(claim);
    let refreshed = false;
    while (!this.#stop.signal.aborted) {
      let response: Response;
      try {
        response = await this.#post(body, claim.id, await identity.jwt());
      } catch (error) {
        if (this.#stop.signal.aborted) return;
        this.#problem(errorMessage(error));
        await this.#sleep(this.#nextBackoff());
        continue;
      }
      if (response.ok) {
        await response.body?.cancel();
        await outbox.done(claim);
        this.counts.batches++;
        this.#recovered();
        return;
      }
      if (response.status === 401 && !refreshed) {
        await response.body?.cancel();
        refreshed = true;
        try {
          await identity.refresh();
        } catch (error) {
          this.#problem(errorMessage(error));
        }
        continue;
      }
      const detail = await describeFailure(response);
      if (response.status === 429 || response.status === 503) {
        // Central is busy, not broken: wait as long as it asks, without growing the back-off.
        await this.#sleep(retryAfterSeconds(response.headers.get("retry-after"), 1) * 1000);
        continue;
      }
      if (response.status >= 500 || response.status === 401 || response.status === 408) {
        this.#problem(`Central answered ${detail}`);
        await this.#sleep(this.#nextBackoff());
        refreshed = false;
        continue;
      }
      const target = await outbox.poison(claim);
      this.counts.poison++;
      this.#options.log(
        `[outbox] signal=${signal} moved poison batch to failed: status=${response.status} detail=${detail} ` +
          `(${target})`,
      );
      return;
    }
  }

  #post(body: Uint8Array, batchId: string, jwt: string): Promise<Response> {
    const url = centralUrl(this.#options.centralUrl, `/v1/ingest/${this.#options.signal}`);
    return callCentral(this.#fetch, url, {
      method: "POST",
      headers: {
        authorization: `Bearer ${jwt}`,
        "content-type": "application/x-ndjson",
        [BATCH_ID_HEADER]: batchId,
      },
      body: body as BodyInit,
      signal: this.#stop.signal,
    });
  }

  #nextBackoff(): number {
    const max = this.#options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
    this.#backoffMs = this.#backoffMs === 0 ? FIRST_BACKOFF_MS : Math.min(max, this.#backoffMs * 2);
    return this.#backoffMs;
  }

  #problem(message: string): void {
    if (message === this.#lastProblem) return;
    this.#lastProblem = message;
    this.#options.log(`warning: [outbox] signal=${this.#options.signal}: ${message}; retrying`);
  }

  #recovered(): void {
    if (this.#lastProblem !== "") {
      this.#options.log(`[outbox] signal=${this.#options.signal}: shipping again`);
    }
    this.#lastProblem = "";
    this.#backoffMs = 0;
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (this.#stop.signal.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.#stop.signal.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#stop.signal.addEventListener("abort", done, { once: true });
    });
  }
}
