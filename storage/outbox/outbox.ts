/**
 * A gateway's durable outbox (reference §10.5): `<outbox>/<signal>/` per signal (0700), batch files 0600. Listeners
 * append rows as to any sink, and an append resolves only once its rows are fsync'd, so an acknowledged row survives
 * a crash of the gateway. The sender claims the oldest ready batch by renaming it to `.sending`, and afterwards
 * deletes it (Central has it), puts it back (to try again later) or moves it to `failed/` (Central refused it for
 * good: a poison batch). A start after a crash makes `.open` and `.sending` files ready again, dropping a torn last
 * line (it was never acknowledged). One process owns an outbox at a time.
 *
 * @module
 */
import { mkdir, open, readdir, readFile, rename, stat, unlink } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { isAlive, readPid } from "../../platform/pid_file.ts";

import type { RowSink } from "../row_sink.ts";
import type { SinkHealth } from "../sink_health.ts";
import { parseBatchName } from "./batch_name.ts";
import { OutboxWriter, type OutboxWriterOptions } from "./outbox_writer.ts";

/** Options of {@linkcode Outbox.open}: the batch thresholds and the file opener of every signal's writer. */
export type OutboxOptions = Pick<OutboxWriterOptions, "limits" | "openFile"> & {
  /** Where failed appends are counted (for `ctvs status`). */
  health?: SinkHealth;
};
import { atomicWrite } from "../../platform/atomic_write.ts";

/** The signals a gateway ships. */
export const OUTBOX_SIGNALS = ["logs", "traces", "metrics", "proxy"] as const;

/** One of {@linkcode OUTBOX_SIGNALS}. */
export type OutboxSignal = typeof OUTBOX_SIGNALS[number];

/** A batch the sender holds. */
export interface Claim {
  signal: OutboxSignal;
  /** The batch id (the file's stem). */
  id: string;
  /** The `.sending` file. */
  path: string;
}

/** What waits in one signal's outbox. */
export interface OutboxSignalStats {
  /** Batches ready or being sent, and their bytes. */
  batches: number;
  bytes: number;
  /** Poison batches set aside in `failed/`. */
  failed: number;
}

const NEWLINE = 0x0a;

/**
 * The outbox of one gateway. Call {@linkcode Outbox.open} to create it: that takes ownership and recovers what a
 * crash left.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtemp, rm } from "node:fs/promises";
 * import { tmpdir } from "node:os";
 * import { join } from "node:path";
 * import { Outbox } from "./outbox.ts";
 *
 * const dir = await mkdtemp(join(tmpdir(), "outbox-"));
 * const outbox = await Outbox.open(dir);
 * await outbox.appendLines("logs", ['{"body":"hi"}']);
 * await outbox.flush();
 * const claim = await outbox.claim("logs");
 * assert.equal(await outbox.read(claim!), '{"body":"hi"}\n');
 * await outbox.done(claim!);
 * assert.equal(await outbox.claim("logs"), undefined);
 * await outbox.close();
 * await rm(dir, { recursive: true });
 * ```
 */
export class Outbox implements RowSink {
  /** The outbox directory. */
  readonly dir: string;
  /** Batches made ready again at open (what the last run left). */
  readonly recovered: number;
  /** Where failed appends are counted. */
  readonly health: SinkHealth | undefined;
  readonly #writers = new Map<OutboxSignal, OutboxWriter>();
  readonly #waiters = new Map<OutboxSignal, Set<() => void>>();
  /** Batches made ready so far, per signal (see {@linkcode Outbox.readyMark}). */
  readonly #readyCounts = new Map<OutboxSignal, number>();
  #closing: Promise<void> | undefined;

  private constructor(dir: string, recovered: number, options: OutboxOptions) {
    this.dir = dir;
    this.recovered = recovered;
    this.health = options.health;
    for (const signal of OUTBOX_SIGNALS) {
      const onReady = () => this.#wake(signal);
      this.#writers.set(signal, new OutboxWriter(path.join(dir, signal), { ...options, onReady }));
    }
  }

  /**
   * Opens the outbox at `dir`: creates it (0700), takes ownership (fails when another live process has it), and
   * makes every `.open` and `.sending` file left by a previous run ready to ship.
   */
  static async open(dir: string, options: OutboxOptions = {}): Promise<Outbox> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await takeOwnership(path.join(dir, "owner.pid"));
    let recovered = 0;
    for (const signal of OUTBOX_SIGNALS) {
      const signalDir = path.join(dir, signal);
      await mkdir(signalDir, { recursive: true, mode: 0o700 });
      recovered += await recoverSignal(signalDir);
    }
    return new Outbox(dir, recovered, options);
  }

  appendBytes(signal: string, bytes: Uint8Array): Promise<void> {
    return this.#counted(signal, bytes, this.#writer(signal).then((w) => w.append(bytes)));
  }

  appendLines(signal: string, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    for (const line of lines) {
      if (line.includes("\n")) return Promise.reject(new TypeError(`Cannot append to ${signal}: a line has a newline`));
    }
    const text = lines.join("\n") + "\n";
    return this.#counted(signal, text, this.#writer(signal).then((w) => w.append(text)));
  }

  /** Makes every open batch ready to ship now. */
  async flush(): Promise<void> {
    await Promise.all([...this.#writers.values()].map((w) => w.flush()));
  }

  /** Makes open batches ready, refuses further appends and gives up ownership. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.all([...this.#writers.values()].map((w) => w.close()));
      for (const waiters of this.#waiters.values()) for (const wake of waiters) wake();
      const owner = path.join(this.dir, "owner.pid");
      if ((await readPid(owner)) === process.pid) await unlink(owner).catch(() => {});
    })();
    return this.#closing;
  }

  /** Claims the oldest ready batch of `signal` (renaming it to `.sending`), or undefined when there is none. */
  async claim(signal: OutboxSignal): Promise<Claim | undefined> {
    const dir = path.join(this.dir, signal);
    const ready = (await readdir(dir)).filter((n) => parseBatchName(n)?.state === "ndjson").sort();
    for (const name of ready) {
      const id = name.slice(0, -".ndjson".length);
      const sending = path.join(dir, `${id}.sending`);
      try {
        await rename(path.join(dir, name), sending);
        return { signal, id, path: sending };
      } catch (error) {
        // Claimed (or removed) by someone else between the listing and the rename.
        if ((error as { code?: string }).code !== "ENOENT") throw error;
      }
    }
    return undefined;
  }

  /** The claimed batch's text. */
  read(claim: Claim): Promise<string> {
    return readFile(claim.path, "utf8");
  }

  /** The claimed batch's bytes, as they are sent. */
  async readBytes(claim: Claim): Promise<Uint8Array> {
    return new Uint8Array(await readFile(claim.path));
  }

  /** Central has the batch: it is deleted. */
  async done(claim: Claim): Promise<void> {
    await unlink(claim.path).catch((error) => {
      if ((error as { code?: string }).code !== "ENOENT") throw error;
    });
  }

  /** The batch goes back to the ready ones (a shutdown while it was being sent). */
  async release(claim: Claim): Promise<void> {
    await rename(claim.path, path.join(this.dir, claim.signal, `${claim.id}.ndjson`)).catch(() => {});
  }

  /** Central refused the batch for good: it moves to `<signal>/failed/`. Returns the new path. */
  async poison(claim: Claim): Promise<string> {
    const failed = path.join(this.dir, claim.signal, "failed");
    await mkdir(failed, { recursive: true, mode: 0o700 });
    const target = path.join(failed, `${claim.id}.ndjson`);
    await rename(claim.path, target);
    return target;
  }

  /**
   * How many batches of `signal` were made ready so far. A sender takes it before it looks for a batch and hands it
   * to {@linkcode Outbox.waitForReady}: a batch made ready while it looked (after its listing, before its wait) is
   * not waited for until the next one.
   */
  readyMark(signal: OutboxSignal): number {
    return this.#readyCounts.get(signal) ?? 0;
  }

  /**
   * Resolves when a batch of `signal` becomes ready (or already has since `mark`, a {@linkcode Outbox.readyMark}),
   * the outbox closes, or `signal` (an abort) fires.
   */
  waitForReady(signal: OutboxSignal, abort?: AbortSignal, mark?: number): Promise<void> {
    if (this.#closing || abort?.aborted) return Promise.resolve();
    if (mark !== undefined && this.readyMark(signal) !== mark) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(signal) ?? new Set();
      this.#waiters.set(signal, waiters);
      const wake = () => {
        waiters.delete(wake);
        abort?.removeEventListener("abort", wake);
        resolve();
      };
      waiters.add(wake);
      abort?.addEventListener("abort", wake, { once: true });
    });
  }

  /** What waits to be shipped and what was set aside, per signal. */
  stats(): Promise<Record<OutboxSignal, OutboxSignalStats>> {
    return outboxStats(this.dir);
  }

  #writer(signal: string): Promise<OutboxWriter> {
    if (this.#closing) return Promise.reject(new Error(`Cannot append to ${signal}: the outbox is closed`));
    const writer = this.#writers.get(signal as OutboxSignal);
    if (!writer) {
      return Promise.reject(
        new TypeError(`Cannot append to ${signal}: a gateway ships only ${OUTBOX_SIGNALS.join(", ")}`),
      );
    }
    return Promise.resolve(writer);
  }

  /** `written`, with its outcome counted in {@linkcode Outbox.health}. */
  #counted(signal: string, lines: string | Uint8Array, written: Promise<void>): Promise<void> {
    const health = this.health;
    if (!health) return written;
    return written.then(() => health.wrote(), (error) => {
      health.failed(signal, countNewlines(lines), error);
      throw error;
    });
  }

  #wake(signal: OutboxSignal): void {
    this.#readyCounts.set(signal, this.readyMark(signal) + 1);
    for (const wake of [...(this.#waiters.get(signal) ?? [])]) wake();
  }
}

/**
 * What waits in the outbox at `dir`, read from the files (for `ctvs status`, whether or not a gateway runs).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const stats = await outboxStats("/nonexistent");
 * assert.deepEqual(stats.logs, { batches: 0, bytes: 0, failed: 0 });
 * ```
 */
export async function outboxStats(dir: string): Promise<Record<OutboxSignal, OutboxSignalStats>> {
  const result = {} as Record<OutboxSignal, OutboxSignalStats>;
  for (const signal of OUTBOX_SIGNALS) {
    const stats = { batches: 0, bytes: 0, failed: 0 };
    const signalDir = path.join(dir, signal);
    for (const name of await namesIn(signalDir)) {
      if (!parseBatchName(name)) continue;
      stats.batches++;
      stats.bytes += await stat(path.join(signalDir, name)).then((s) => s.size, () => 0);
    }
    stats.failed = (await namesIn(path.join(signalDir, "failed"))).filter((n) => n.endsWith(".ndjson")).length;
    result[signal] = stats;
  }
  return result;
}

function countNewlines(lines: string | Uint8Array): number {
  let count = 0;
  for (let i = 0; i < lines.length; i++) {
    if ((typeof lines === "string" ? lines.charCodeAt(i) : lines[i]) === NEWLINE) count++;
  }
  return count;
}

async function namesIn(dir: string): Promise<string[]> {
  try {
    return await readdir(dir);
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") return [];
    throw error;
  }
}

/** Writes this process's pid into `file`, unless another live process's pid is there. */
async function takeOwnership(file: string): Promise<void> {
  const owner = await readPid(file);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new Error(
      `Cannot open the outbox ${path.dirname(file)}: another gateway (pid ${owner}) uses it; ` +
        "give each gateway its own central_server.outbox_dir",
    );
  }
  await atomicWrite(file, `${process.pid}\n`);
}

/** Makes `.open` and `.sending` files ready (`.ndjson`); returns how many batches are ready now. */
async function recoverSignal(dir: string): Promise<number> {
  let ready = 0;
  for (const name of (await readdir(dir)).sort()) {
    const batch = parseBatchName(name);
    if (!batch) continue;
    const file = path.join(dir, name);
    if (batch.state === "open" && !(await cutTornTail(file))) {
      await unlink(file);
      continue;
    }
    if (batch.state !== "ndjson") await rename(file, path.join(dir, `${batch.id}.ndjson`));
    ready++;
  }
  return ready;
}

/** Cuts what follows the last newline (a write the crash interrupted); false when nothing is left. */
async function cutTornTail(file: string): Promise<boolean> {
  const handle = await open(file, "r+");
  try {
    const { size } = await handle.stat();
    if (size === 0) return false;
    const tail = new Uint8Array(Math.min(size, 64 * 1024));
    let end = size;
    // Look backwards for the last newline, a window at a time.
    for (let at = size; at > 0;) {
      const from = Math.max(0, at - tail.length);
      const { bytesRead } = await handle.read(tail, 0, at - from, from);
      const index = tail.subarray(0, bytesRead).lastIndexOf(NEWLINE);
      if (index !== -1) {
        end = from + index + 1;
        break;
      }
      at = from;
      if (at === 0) end = 0;
    }
    if (end < size) {
      await handle.truncate(end);
      await handle.sync();
    }
    return end > 0;
  } finally {
    await handle.close();
  }
}
