/**
 * Where the Central server writes what gateways ship: `<dir>/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl`, the standalone
 * layout, so `ctvs query`, `ctvs export` and the S3 upload read it unchanged. Each write is fsync'd before it
 * resolves, and a batch shipped again is written only for the lines the day files do not hold yet (see
 * `day_index.ts`). Writes of one gateway and signal are serialized, in this process and, through a lock file, with
 * every other process sharing the directory (Central replicas).
 *
 * @module
 */
import { mkdir, open } from "node:fs/promises";
import path from "node:path";

import { DayFile } from "../day_file.ts";
import { SinkWriteError } from "../sink_write_error.ts";
import { utcDate } from "../utc_date.ts";
import { DayIndex } from "./day_index.ts";
import { HotLocks } from "../../platform/file_lock.ts";
import { isValidGatewayId } from "../../platform/gateway_id.ts";

/**
 * The rows of a batch, stamped and encoded: `bytes` holds them as whole lines; row `i` came from line `lines[i]` of the
 * batch as shipped (1-based, increasing) and ends at byte `ends[i]`.
 */
export interface StampedRows {
  bytes: { bytes(start?: number, end?: number): Uint8Array };
  lines: number[];
  ends: number[];
}

/** A batch as Central writes it. */
export interface IngestBatch {
  gatewayId: string;
  signal: string;
  /** The id the gateway gave the batch; without it the batch cannot be recognised again (no deduplication). */
  batchId?: string;
  rows: StampedRows;
  /** When it was received: picks the day file. */
  receivedAt: Date;
}

/** What a write did. */
export interface IngestResult {
  /** Rows written now. */
  written: number;
  /** Rows already in the files from an earlier shipment of the same batch, not written again. */
  duplicates: number;
}

/** How many days before the receiving day a batch is looked for (a batch id older than that is treated as new). */
export const DEDUP_WINDOW_DAYS = 7;

const DAY_MS = 86_400_000;
/** Day indexes kept in memory; the others are read again when needed. */
const MAX_INDEXES = 512;
/** Day files kept open. */
const MAX_OPEN_FILES = 256;

/** The directory of index files, inside the sink (a dot-directory, so never taken for a gateway). */
export const INDEX_DIR = ".ingest-index";

/**
 * The ingest store over one sink directory.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, readFile, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { IngestStore } from "./ingest_store.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "ingest-"));
 * const store = new IngestStore(dir);
 * const receivedAt = new Date("2025-03-01T12:00:00Z");
 * const line = new TextEncoder().encode('{"a":1,"_ingest":{"row_id":"b1:1"}}\n');
 * const rows = { bytes: { bytes: () => line }, lines: [1], ends: [line.byteLength] };
 * const batch = { gatewayId: "gw", signal: "logs", batchId: "b1", rows, receivedAt };
 * assert.deepEqual(await store.write(batch), { written: 1, duplicates: 0 });
 * assert.deepEqual(await store.write(batch), { written: 0, duplicates: 1 });
 * await store.close();
 * assert.equal((await readFile(join(dir, "gw", "logs", "2025-03-01.jsonl"), "utf8")).split("\n").length, 2);
 * await rm(dir, { recursive: true });
 * ```
 */
export class IngestStore {
  /** The sink directory. */
  readonly dir: string;
  readonly #indexes = new Map<string, DayIndex>();
  readonly #files = new Map<string, DayFile>();
  readonly #locks = new HotLocks();
  /** The tail of the chain of writes per gateway and signal. */
  readonly #queues = new Map<string, Promise<unknown>>();
  #closed = false;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** Writes the rows of `batch` the files do not hold yet, fsync'd; see the module doc. */
  write(batch: IngestBatch): Promise<IngestResult> {
    if (this.#closed) return Promise.reject(new Error("Cannot write: the ingest store is closed"));
    const key = `${batch.gatewayId}/${batch.signal}`;
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous.then(() => this.#locks.with(this.#lockPath(batch), () => this.#write(batch)))
      .catch((error) => {
        // Every failure of the files reads "Cannot write <day file>: <reason>", whichever step met it.
        if (error instanceof SinkWriteError || error instanceof TypeError) throw error;
        throw new SinkWriteError(this.#dayPath(batch.gatewayId, batch.signal, utcDate(batch.receivedAt)), error);
      });
    const tail = run.catch(() => {});
    this.#queues.set(key, tail);
    tail.then(() => {
      if (this.#queues.get(key) === tail) this.#queues.delete(key);
    });
    return run;
  }

  /** Waits for writes in flight, then fsyncs and closes every file. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    await Promise.all([...this.#queues.values()]);
    const files = [...this.#files.values()];
    this.#files.clear();
    await Promise.allSettled(files.map((f) => f.close()));
    await Promise.allSettled([...this.#indexes.values()].map((index) => index.close()));
    this.#indexes.clear();
    this.#locks.close();
  }

  async #write(batch: IngestBatch): Promise<IngestResult> {
    const { gatewayId, signal, batchId, rows, receivedAt } = batch;
    if (!isValidGatewayId(gatewayId)) throw new TypeError(`Cannot ingest for gateway id "${gatewayId}"`);
    const day = utcDate(receivedAt);
    let present = 0;
    let daySize = 0;
    for (const date of windowDays(batchId, receivedAt)) {
      const index = this.#index(gatewayId, signal, date);
      const size = await index.refresh();
      if (date === day) daySize = size;
      if (batchId !== undefined) present = Math.max(present, index.lastLine(batchId));
    }
    const count = rows.lines.length;
    // Rows are written in line order, so what an earlier shipment left is a prefix of the batch.
    let first = 0;
    while (first < count && rows.lines[first] <= present) first++;
    if (first === count) return { written: 0, duplicates: count };
    const bytes = rows.bytes.bytes(first === 0 ? 0 : rows.ends[first - 1], rows.ends[count - 1]);
    await this.#file(this.#dayPath(gatewayId, signal, day)).write(bytes);
    await this.#index(gatewayId, signal, day).record(batchId, rows.lines[count - 1], daySize + bytes.byteLength);
    return { written: count - first, duplicates: first };
  }

  #dayPath(gatewayId: string, signal: string, date: string): string {
    return path.join(this.dir, gatewayId, signal, `${date}.jsonl`);
  }

  #lockPath(batch: IngestBatch): string {
    return path.join(this.dir, INDEX_DIR, batch.gatewayId, batch.signal);
  }

  #index(gatewayId: string, signal: string, date: string): DayIndex {
    const key = `${gatewayId}/${signal}/${date}`;
    let index = this.#indexes.get(key);
    if (index) {
      // Most recently used last, so the first entry is the one to evict.
      this.#indexes.delete(key);
    } else {
      const indexPath = path.join(this.dir, INDEX_DIR, gatewayId, signal, `${date}.jsonl`);
      index = new DayIndex(indexPath, this.#dayPath(gatewayId, signal, date));
      if (this.#indexes.size >= MAX_INDEXES) {
        const [oldest, old] = this.#indexes.entries().next().value!;
        this.#indexes.delete(oldest);
        void old.close();
      }
    }
    this.#indexes.set(key, index);
    return index;
  }

  #file(dayPath: string): DayFile {
    let file = this.#files.get(dayPath);
    if (file) {
      this.#files.delete(dayPath);
    } else {
      file = new DayFile(dayPath, { syncEachBatch: true, openFile: openPrivate });
      if (this.#files.size >= MAX_OPEN_FILES) {
        const [oldest, old] = this.#files.entries().next().value!;
        this.#files.delete(oldest);
        // Its writes are done (they ran under the lock); closing only fsyncs and releases the handle.
        old.close().catch(() => {});
      }
    }
    this.#files.set(dayPath, file);
    return file;
  }
}

/** Opens a day file for appending, created 0600 in a 0700 directory: it holds prompts and telemetry. */
async function openPrivate(file: string) {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  return await open(file, "a+", 0o600);
}

/**
 * The days whose files may hold an earlier shipment of `batchId`: from the day its id says it was made (at most
 * {@linkcode DEDUP_WINDOW_DAYS} back) to the receiving day. An id without a date, or dated in the future (a gateway
 * clock ahead), looks at the receiving day and the one before.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const at = new Date("2025-03-03T00:00:05Z");
 * assert.deepEqual(windowDays("2025-03-01T23-59-59-000Z-1-1-ab", at), ["2025-03-01", "2025-03-02", "2025-03-03"]);
 * assert.deepEqual(windowDays(undefined, at), ["2025-03-03"]);
 * assert.deepEqual(windowDays("x", at), ["2025-03-02", "2025-03-03"]);
 * ```
 */
export function windowDays(batchId: string | undefined, receivedAt: Date): string[] {
  const today = utcDate(receivedAt);
  if (batchId === undefined) return [today];
  const made = /^(\d{4}-\d{2}-\d{2})T/.exec(batchId)?.[1];
  const todayMs = Date.parse(`${today}T00:00:00Z`);
  let fromMs = made ? Date.parse(`${made}T00:00:00Z`) : NaN;
  if (!(fromMs <= todayMs)) fromMs = todayMs - DAY_MS;
  fromMs = Math.max(fromMs, todayMs - DEDUP_WINDOW_DAYS * DAY_MS);
  const days: string[] = [];
  for (let ms = fromMs; ms <= todayMs; ms += DAY_MS) days.push(utcDate(new Date(ms)));
  return days;
}
