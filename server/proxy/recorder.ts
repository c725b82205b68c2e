/**
 * The recorder's side of the sink: rows go out without ever being awaited by the proxied stream, a failing disk is
 * reported once (and again only after it recovered and failed anew), and stream events are dropped rather than
 * queued without bound when the disk falls behind. Rows written in the same turn of the event loop reach the sink
 * as one append: under load one append (one promise, one day-file lookup) serves many exchanges.
 *
 * @module
 */
import type { RowSink } from "../../storage/row_sink.ts";

/** Where recorded rows go: the proxy signal of the process's sink. */
export type RecorderSink = Pick<RowSink, "appendLines" | "flush">;

/** Options of a {@linkcode Recorder}. */
export interface RecorderOptions {
  /** Warnings, one line each, to stderr. */
  log(line: string): void;
  /** Stream-event bytes allowed to wait for the disk before further events are dropped (default 64 MiB). */
  maxPendingBytes?: number;
  /** Told of each stream event dropped (for the collector's failure counts). */
  onDropped?: () => void;
}

/** Writes proxy rows to the sink; see the module doc. */
export class Recorder {
  readonly #sink: RecorderSink;
  readonly #log: (line: string) => void;
  readonly #maxPending: number;
  readonly #onDropped: (() => void) | undefined;
  #pendingBytes = 0;
  #failing = false;
  #behind = false;
  /** Rows of this turn, not yet handed to the sink. */
  #batch: string[] = [];
  #batchBytes = 0;
  readonly #handOver = () => this.#appendBatch();
  /** Rows still being worked out (an exchange waiting for its stream decoder): flush waits for them. */
  readonly #deferred = new Set<Promise<void>>();

  constructor(sink: RecorderSink, options: RecorderOptions) {
    this.#sink = sink;
    this.#log = options.log;
    this.#maxPending = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.#onDropped = options.onDropped;
  }

  /**
   * Queues `row` for the `proxy` signal and returns at once. A `droppable` row (a stream event) is dropped while
   * more than `maxPendingBytes` wait for the disk; exchange rows are always queued.
   */
  write(row: object, droppable = false): void {
    const line = JSON.stringify(row);
    if (droppable && this.#pendingBytes + line.length > this.#maxPending) {
      if (!this.#behind) {
        this.#log("warning: proxy recording is behind the disk; dropping stream events until it catches up");
      }
      this.#behind = true;
      this.#onDropped?.();
      return;
    }
    this.#pendingBytes += line.length;
    this.#batchBytes += line.length;
    if (this.#batch.push(line) === 1) queueMicrotask(this.#handOver);
  }

  /** Hands this turn's rows to the sink, in order. */
  #appendBatch(): void {
    if (this.#batch.length === 0) return;
    const lines = this.#batch;
    const bytes = this.#batchBytes;
    this.#batch = [];
    this.#batchBytes = 0;
    this.#sink.appendLines("proxy", lines).then(
      () => {
        this.#pendingBytes -= bytes;
        this.#failing = false;
        if (this.#behind && this.#pendingBytes < this.#maxPending / 2) this.#behind = false;
      },
      (err: Error) => {
        this.#pendingBytes -= bytes;
        if (this.#failing) return;
        this.#failing = true;
        this.#log(`warning: proxy recording failed (proxied traffic is unaffected): ${err.message}`);
      },
    );
  }

  /** Tracks `work` that ends by writing rows, so {@linkcode flush} waits for it. */
  defer(work: Promise<void>): void {
    this.#deferred.add(work);
    const settled = () => void this.#deferred.delete(work);
    work.then(settled, settled);
  }

  /** Resolves once every row written so far, or deferred, has reached the sink (or failed). */
  async flush(): Promise<void> {
    if (this.#deferred.size > 0) await Promise.allSettled([...this.#deferred]);
    this.#appendBatch();
    return this.#sink.flush();
  }
}
