/**
 * When the uploader runs: one catch-up tick at start, then daily at `time` UTC; 15 minutes after a tick that
 * failed or asked for a retry. Timers are chained `setTimeout`s capped at 2^31-1 ms (the largest delay timers take).
 *
 * @module
 */

/** The wait after a failed tick. */
export const FAST_RETRY_MS = 15 * 60_000;
/** The largest delay `setTimeout` honours; longer waits are chained. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The next `HH:MM` UTC strictly after `now`.
 *
 * @param now The current time.
 * @param time `HH:MM`, 24-hour, UTC.
 * @returns The next run.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nextDailyRun } from "./scheduler.ts";
 * const next = nextDailyRun(new Date("2026-05-12T00:10:00Z"), "00:10");
 * assert.equal(next.toISOString(), "2026-05-13T00:10:00.000Z");
 * ```
 */
export function nextDailyRun(now: Date, time: string): Date {
  const [hours, minutes] = time.split(":").map(Number);
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate(), hours, minutes));
  if (next.getTime() <= now.getTime()) next.setUTCDate(next.getUTCDate() + 1);
  return next;
}

/** What the scheduler runs and how it tells time. */
export interface SchedulerOptions {
  /** `HH:MM` UTC. */
  time: string;
  /** One tick; a rejection or `{retry: true}` brings the next tick 15 minutes forward. */
  tick(): Promise<{ retry: boolean }>;
  /** Tick failures, `[collectivus] upload tick failed: ...`. */
  log(line: string): void;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/** Runs ticks on the schedule above; never two at once. */
export class UploadScheduler {
  #options: SchedulerOptions;
  #timer: unknown;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(options: SchedulerOptions) {
    this.#options = options;
  }

  /** Runs the catch-up tick now (in the background) and schedules the rest. */
  start(): void {
    this.#run();
  }

  /** The tick in flight, if any (tests and `upload --now` wait on it). */
  get running(): Promise<void> | undefined {
    return this.#running;
  }

  /** Cancels the timer; resolves when the tick in flight (if any) is done. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== undefined) (this.#options.clearTimer ?? clearTimeout)(this.#timer as number);
    this.#timer = undefined;
    await this.#running;
  }

  /** True once `stop` was called: a tick in flight starts no further job. */
  get stopped(): boolean {
    return this.#stopped;
  }

  #run(): void {
    this.#running = (async () => {
      let retry = false;
      try {
        retry = (await this.#options.tick()).retry;
      } catch (error) {
        retry = true;
        this.#options.log(`[collectivus] upload tick failed: ${error instanceof Error ? error.message : error}`);
      }
      const now = (this.#options.now ?? Date.now)();
      const at = retry ? now + FAST_RETRY_MS : nextDailyRun(new Date(now), this.#options.time).getTime();
      this.#running = undefined;
      this.#schedule(at);
    })();
  }

  /** Waits until `at`, in steps no longer than a timer allows. */
  #schedule(at: number): void {
    if (this.#stopped) return;
    const now = (this.#options.now ?? Date.now)();
    const wait = Math.max(0, at - now);
    const setTimer = this.#options.setTimer ?? setTimeout;
    this.#timer = setTimer(() => {
      this.#timer = undefined;
      if (wait > MAX_TIMER_MS) this.#schedule(at);
      else if (!this.#stopped) this.#run();
    }, Math.min(wait, MAX_TIMER_MS));
  }
}
