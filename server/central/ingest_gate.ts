/**
 * Ingest admission: whether a request may send its body, decided from the headers alone, before a byte of the body is
 * read (reference §10.3). Rows received and not yet on disk are "pending"; at `max_pending_rows` the answer is 503
 * `ingest at capacity`, from the high-water mark on 429 `ingest backpressure`, and with `max_bytes_per_second` a
 * token bucket (one second of burst) answers 429 `ingest disk-rate throttled` when empty; all with `Retry-After`.
 * Bytes pending are bounded too, so Central's memory stays bounded whatever the batches weigh.
 *
 * @module
 */
import { HttpError } from "../http_error.ts";

/** The limits, resolved. */
export interface IngestLimits {
  maxPendingRows: number;
  highWaterPct: number;
  retryAfterSeconds: number;
  /** Undefined: no disk-rate limit. */
  maxBytesPerSecond?: number;
  /** Request bytes held in memory at once (bodies being read, parsed and written): 503 past it. */
  maxPendingBytes: number;
}

/** Defaults of reference §15: 50 000 rows, 80 %, 5 s. */
export const DEFAULT_INGEST_LIMITS: IngestLimits = {
  maxPendingRows: 50_000,
  highWaterPct: 80,
  retryAfterSeconds: 5,
  maxPendingBytes: 32 * 1024 * 1024,
};

/** Rows a request is assumed to carry until its body is read: one row per this many declared bytes. */
const BYTES_PER_ROW_ESTIMATE = 512;
/** What a request without Content-Length is assumed to weigh until it is read: a gateway's full batch. */
const UNKNOWN_LENGTH_BYTES = 1024 * 1024;
/** At most one backpressure line per kind this often. */
const LOG_EVERY_MS = 10_000;

type Kind = "capacity" | "high_water" | "byte_rate";

/** A request let in: what it holds until it is done. */
export interface Admission {
  /** The request's rows are now known: they replace the estimate. */
  rows(count: number): void;
  /** The body was read: `bytes` replace the estimate, and are taken from the disk-rate bucket. */
  bytes(count: number): void;
  /** The request is done (written or failed). Idempotent. */
  release(): void;
}

/**
 * The admission gate of one process.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { IngestGate } from "./ingest_gate.ts";
 * const gate = new IngestGate({ maxPendingRows: 10, highWaterPct: 50 }, () => {});
 * const first = gate.admit("gw", "logs", 100);
 * first.rows(6);
 * assert.throws(() => gate.admit("gw", "logs", 100), { status: 429, message: "ingest backpressure" });
 * first.release();
 * gate.admit("gw", "logs", 100).release();
 * ```
 */
export class IngestGate {
  readonly limits: IngestLimits;
  readonly #log: (line: string) => void;
  readonly #now: () => number;
  #pendingRows = 0;
  #pendingBytes = 0;
  #tokens: number;
  #refilledAt: number;
  readonly #logged = new Map<Kind, { at: number; refused: number }>();

  constructor(limits: Partial<IngestLimits>, log: (line: string) => void, now: () => number = Date.now) {
    const defined = Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
    this.limits = { ...DEFAULT_INGEST_LIMITS, ...defined };
    this.#log = log;
    this.#now = now;
    this.#tokens = this.limits.maxBytesPerSecond ?? 0;
    this.#refilledAt = now();
  }

  /** Rows received and not yet written. */
  get pendingRows(): number {
    return this.#pendingRows;
  }

  /** Request bytes held. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Lets a request in, or throws the 503/429 {@linkcode HttpError} with `Retry-After`. */
  admit(gatewayId: string, signal: string, declaredBytes: number | undefined): Admission {
    const { maxPendingRows, highWaterPct, maxPendingBytes } = this.limits;
    const size = declaredBytes ?? UNKNOWN_LENGTH_BYTES;
    if (this.#pendingRows >= maxPendingRows) this.#refuse("capacity", 503, gatewayId, signal);
    if (this.#pendingBytes > 0 && this.#pendingBytes + size > maxPendingBytes) {
      this.#refuse("capacity", 503, gatewayId, signal);
    }
    if (this.#pendingRows >= Math.floor(maxPendingRows * highWaterPct / 100)) {
      this.#refuse("high_water", 429, gatewayId, signal);
    }
    if (this.limits.maxBytesPerSecond !== undefined && this.#refill() <= 0) {
      this.#refuse("byte_rate", 429, gatewayId, signal);
    }
    let rows = Math.max(1, Math.ceil(size / BYTES_PER_ROW_ESTIMATE));
    let bytes = size;
    let released = false;
    this.#pendingRows += rows;
    this.#pendingBytes += bytes;
    return {
      rows: (count) => {
        if (released) return;
        this.#pendingRows += count - rows;
        rows = count;
      },
      bytes: (count) => {
        if (released) return;
        this.#pendingBytes += count - bytes;
        bytes = count;
        if (this.limits.maxBytesPerSecond !== undefined) this.#tokens -= count;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#pendingRows -= rows;
        this.#pendingBytes -= bytes;
      },
    };
  }

  /** The bucket's tokens after refilling for the time passed. */
  #refill(): number {
    const rate = this.limits.maxBytesPerSecond!;
    const now = this.#now();
    this.#tokens = Math.min(rate, this.#tokens + (now - this.#refilledAt) / 1000 * rate);
    this.#refilledAt = now;
    return this.#tokens;
  }

  #refuse(kind: Kind, status: 429 | 503, gatewayId: string, signal: string): never {
    const now = this.#now();
    const last = this.#logged.get(kind);
    if (!last || now - last.at >= LOG_EVERY_MS) {
      const since = last && last.refused > 0 ? ` (${last.refused} more refused since the last line)` : "";
      this.#log(
        `[ingest] backpressure kind=${kind} gateway_id=${gatewayId} signal=${signal} ` +
          `pending_rows=${this.#pendingRows} pending_bytes=${this.#pendingBytes}${since}`,
      );
      this.#logged.set(kind, { at: now, refused: 0 });
    } else {
      last.refused++;
    }
    const error = kind === "capacity"
      ? "ingest at capacity"
      : kind === "high_water"
      ? "ingest backpressure"
      : "ingest disk-rate throttled";
    const retryAfter = String(this.limits.retryAfterSeconds);
    // The body was not read: closing the connection spares the server reading (and holding) it to keep the
    // connection open.
    throw new HttpError(status, { error, retry_after_seconds: this.limits.retryAfterSeconds }, {
      "retry-after": retryAfter,
      connection: "close",
    });
  }
}
