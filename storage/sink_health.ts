/**
 * What went wrong with the recordings of a running collector: rows the sink could not write (full disk, permission
 * denied), stream events the proxy dropped while the disk was behind, and the last error. The collector keeps one for
 * its lifetime (sinks come and go on reload) and publishes it in its status file for `ctvs status`.
 *
 * @module
 */

/** The failures of one signal. */
export interface SignalHealth {
  /** Rows an append could not write (their sender got an error: an OTLP 500, a proxy warning). */
  failed_rows: number;
  /** Rows dropped without a write attempt (proxy stream events while the disk was behind). */
  dropped_rows: number;
}

/** A copy of the counters, as published. */
export interface SinkHealthSnapshot {
  /** Rows not written, all signals together. */
  failed_rows: number;
  dropped_rows: number;
  /** When an append last succeeded (ISO), if ever. */
  last_write_at?: string;
  /** The last failure, if any. */
  last_error?: { at: string; signal: string; message: string };
  /** By signal, only those with a failure. */
  signals: Record<string, SignalHealth>;
}

/**
 * Counters of recording failures; see the module doc.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const health = new SinkHealth(() => new Date("2025-03-01T12:00:00Z"));
 * health.wrote();
 * health.failed("logs", 3, new Error("Cannot write /rec/gw/logs/2025-03-01.jsonl: no space left on device"));
 * health.dropped("proxy", 2);
 * assert.deepEqual(health.snapshot(), {
 *   failed_rows: 3,
 *   dropped_rows: 2,
 *   last_write_at: "2025-03-01T12:00:00.000Z",
 *   last_error: {
 *     at: "2025-03-01T12:00:00.000Z",
 *     signal: "logs",
 *     message: "Cannot write /rec/gw/logs/2025-03-01.jsonl: no space left on device",
 *   },
 *   signals: { logs: { failed_rows: 3, dropped_rows: 0 }, proxy: { failed_rows: 0, dropped_rows: 2 } },
 * });
 * ```
 */
export class SinkHealth {
  readonly #now: () => Date;
  readonly #signals = new Map<string, SignalHealth>();
  #lastWrite: number | undefined;
  #lastError: SinkHealthSnapshot["last_error"];
  #changes = 0;

  constructor(now: () => Date = () => new Date()) {
    this.#now = now;
  }

  /** Bumped by every failure: a publisher writes again only when it moved. */
  get changes(): number {
    return this.#changes;
  }

  /** An append succeeded. */
  wrote(): void {
    this.#lastWrite = this.#now().getTime();
  }

  /** An append of `rows` rows to `signal` failed with `error`. */
  failed(signal: string, rows: number, error: unknown): void {
    this.#of(signal).failed_rows += rows;
    const message = error instanceof Error ? error.message : String(error);
    this.#lastError = { at: this.#now().toISOString(), signal, message };
    this.#changes++;
  }

  /** `rows` rows of `signal` were dropped before any write. */
  dropped(signal: string, rows: number): void {
    this.#of(signal).dropped_rows += rows;
    this.#changes++;
  }

  /** The counters now. */
  snapshot(): SinkHealthSnapshot {
    let failed = 0, dropped = 0;
    const signals: Record<string, SignalHealth> = {};
    for (const [signal, health] of [...this.#signals].sort(([a], [b]) => a < b ? -1 : 1)) {
      failed += health.failed_rows;
      dropped += health.dropped_rows;
      signals[signal] = { ...health };
    }
    return {
      failed_rows: failed,
      dropped_rows: dropped,
      ...(this.#lastWrite === undefined ? {} : { last_write_at: new Date(this.#lastWrite).toISOString() }),
      ...(this.#lastError ? { last_error: { ...this.#lastError } } : {}),
      signals,
    };
  }

  #of(signal: string): SignalHealth {
    let health = this.#signals.get(signal);
    if (!health) this.#signals.set(signal, health = { failed_rows: 0, dropped_rows: 0 });
    return health;
  }
}
