/**
 * What the listeners write rows to: the JSONL sink of a standalone collector or Central server, or a gateway's
 * outbox. An append resolves once the rows are kept (in the file, or fsync'd in the outbox) and rejects with a
 * `SinkWriteError` when they could not be.
 *
 * @module
 */
import type { SinkHealth } from "./sink_health.ts";

/** A destination for rows, by signal (`logs`, `raw/traces`, `proxy`, ...). */
export interface RowSink {
  /** Where its files are: the sink directory, or a gateway's outbox. */
  readonly dir: string;
  /** Where failed and dropped rows are counted, for `ctvs status`. */
  readonly health?: SinkHealth;
  /** Appends whole UTF-8 lines, each ending in `"\n"`; the bytes must not change until the append settles. */
  appendBytes(signal: string, bytes: Uint8Array): Promise<void>;
  /** Appends pre-serialized lines (no `"\n"` inside; one is added to each). */
  appendLines(signal: string, lines: readonly string[]): Promise<void>;
  /** Resolves once every append submitted so far has settled. Never rejects. */
  flush(): Promise<void>;
  /** Flushes and closes; appends afterwards reject. Idempotent. */
  close(): Promise<void>;
}
