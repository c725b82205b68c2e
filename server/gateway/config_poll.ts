/**
 * A gateway's config poll (reference §10.4): `GET /v1/config` with its JWT and the last ETag, first at once and then
 * every `poll_interval_seconds`. A new valid config is handed on (the runner reloads only the listeners whose section
 * changed) and its ETag kept in `config-etag.json`; 304 changes nothing; an invalid config is refused with a warning;
 * 401 refreshes the JWT once; 404 (no config registered) is said once and asked again in 300 s; network failures,
 * 5xx and anything unexpected back off 30 s, 60 s, 120 s, then 300 s.
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { Config } from "../../platform/config/types.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { validateGatewayConfig } from "../../platform/config/validate_gateway_config.ts";
import { atomicWrite } from "../../platform/atomic_write.ts";
import { describeFailure } from "../failed_response.ts";
import { callCentral, centralUrl } from "./central_client.ts";
import type { IdentityClient } from "./identity_client.ts";

/** Options of a {@linkcode ConfigPoller}. */
export interface ConfigPollerOptions {
  centralUrl: string;
  identity: Pick<IdentityClient, "jwt" | "refresh">;
  /** Seconds between polls. */
  intervalSeconds: number;
  /** Where `config-etag.json` is kept. */
  stateDir: string;
  /** A new config from Central; the poll waits for it before the next one. */
  onConfig(config: Config, etag: string): Promise<void>;
  log(line: string): void;
  fetch?: typeof fetch;
}

/** The back-off steps after failures, then the last one again. */
export const POLL_BACKOFF_SECONDS = [30, 60, 120, 300] as const;
/** The wait after a 404. */
export const NOT_REGISTERED_WAIT_SECONDS = 300;

/** What one poll came to, and when to poll next. */
export type PollOutcome = "changed" | "unchanged" | "invalid" | "not_registered" | "failed";

/** Polls Central for this gateway's config while it runs. */
export class ConfigPoller {
  readonly #options: ConfigPollerOptions;
  readonly #fetch: typeof fetch;
  #intervalSeconds: number;
  #etag: string | undefined;
  #failures = 0;
  #saidNotRegistered = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: ConfigPollerOptions) {
    this.#options = options;
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#intervalSeconds = options.intervalSeconds;
  }

  /** `<state dir>/config-etag.json`. */
  get etagPath(): string {
    return path.join(this.#options.stateDir, "config-etag.json");
  }

  /** The URL polled. */
  get url(): string {
    return centralUrl(this.#options.centralUrl, "/v1/config");
  }

  /** Starts polling (the first poll at once); returns the start line. */
  start(): string {
    this.#schedule(0);
    return `Config poll loop active (${this.url} every ${this.#intervalSeconds}s)`;
  }

  /** Polls now (SIGHUP), unless a poll is running. */
  pollNow(): void {
    if (!this.#running && !this.#stopped) this.#schedule(0);
  }

  /** Changes the interval from the next poll on (a vended config may change it). */
  setInterval(seconds: number): void {
    this.#intervalSeconds = seconds;
  }

  /** Stops polling; resolves once a poll in flight (and the reload it started) is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#running;
  }

  /** One poll; resolves with its outcome. Exposed for tests. */
  async poll(): Promise<PollOutcome> {
    let response: Response;
    try {
      response = await this.#get();
      if (response.status === 401) {
        await response.body?.cancel();
        await this.#options.identity.refresh().catch((error) => this.#options.log(`warning: ${errorMessage(error)}`));
        response = await this.#get();
        if (response.status === 401) {
          await response.body?.cancel();
          this.#options.log("warning: config poll: 401 even after JWT refresh; check server secret");
          return "failed";
        }
      }
    } catch (error) {
      this.#options.log(`warning: config poll: ${errorMessage(error)}`);
      return "failed";
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return "unchanged";
    }
    if (response.status === 404) {
      await response.body?.cancel();
      if (!this.#saidNotRegistered) {
        this.#options.log(`warning: config poll: ${this.url} reports no config registered for this gateway`);
        this.#saidNotRegistered = true;
      }
      return "not_registered";
    }
    this.#saidNotRegistered = false;
    if (response.status !== 200) {
      this.#options.log(`warning: config poll: ${this.url} answered ${await describeFailure(response)}`);
      return "failed";
    }
    const etag = unquote(response.headers.get("etag") ?? "");
    let config: Config;
    try {
      config = validateGatewayConfig(JSON.parse(await response.text())).config;
    } catch (error) {
      this.#options.log(`warning: config poll: server returned invalid config: ${errorMessage(error)}`);
      return "invalid";
    }
    if (etag === this.#etag) return "unchanged";
    await this.#options.onConfig(config, etag);
    this.#etag = etag;
    await atomicWrite(this.etagPath, JSON.stringify({ etag }) + "\n").catch((error) => {
      this.#options.log(`warning: config poll: cannot save ${this.etagPath}: ${errorMessage(error)}`);
    });
    return "changed";
  }

  /** The ETag saved by the last run, if any (for `ctvs status`). */
  async savedEtag(): Promise<string | undefined> {
    try {
      const { etag } = JSON.parse(await readFile(this.etagPath, "utf8"));
      return typeof etag === "string" ? etag : undefined;
    } catch {
      return undefined;
    }
  }

  async #get(): Promise<Response> {
    const headers: Record<string, string> = { authorization: `Bearer ${await this.#options.identity.jwt()}` };
    if (this.#etag) headers["if-none-match"] = `"${this.#etag}"`;
    return await callCentral(this.#fetch, this.url, { headers });
  }

  #schedule(seconds: number): void {
    clearTimeout(this.#timer);
    if (this.#stopped) return;
    this.#timer = setTimeout(() => {
      this.#running = this.poll().then((outcome) => {
        this.#running = undefined;
        this.#schedule(this.nextDelay(outcome));
      }, (error) => {
        this.#running = undefined;
        this.#options.log(`warning: config poll: ${errorMessage(error)}`);
        this.#schedule(this.nextDelay("failed"));
      });
    }, seconds * 1000);
  }

  /** Seconds until the next poll after `outcome` (the back-off advances with each failure in a row). */
  nextDelay(outcome: PollOutcome): number {
    if (outcome === "failed") {
      const step = POLL_BACKOFF_SECONDS[Math.min(this.#failures, POLL_BACKOFF_SECONDS.length - 1)];
      this.#failures++;
      return step;
    }
    this.#failures = 0;
    return outcome === "not_registered" ? NOT_REGISTERED_WAIT_SECONDS : this.#intervalSeconds;
  }
}

function unquote(etag: string): string {
  const tag = etag.startsWith("W/") ? etag.slice(2) : etag;
  return tag.length >= 2 && tag.startsWith('"') && tag.endsWith('"') ? tag.slice(1, -1) : tag;
}
