/**
 * The sink of an embedded collector: a {@linkcode JsonlSink} that also hands each recorded row to the embedder's
 * `onRow` hook, or (without a sink directory) only hands them over and writes no file. Raw OTLP envelopes
 * (`raw/<signal>`) go to the files only.
 *
 * @module
 */
import { JsonlSink, type JsonlSinkOptions } from "../storage/jsonl_sink.ts";
import type { Row, RowHook, RowSignal } from "./types.ts";

const ROW_SIGNALS: ReadonlySet<string> = new Set<RowSignal>(["logs", "traces", "metrics", "proxy"]);

/** Options of a {@linkcode HookedSink}. */
export interface HookedSinkOptions extends JsonlSinkOptions {
  /** Called with each row once it is written; see {@linkcode RowHook}. */
  onRow?: RowHook;
  /** False: write no file, only call `onRow` (`dir` is then never touched). */
  files: boolean;
}

/** A sink whose rows also reach a hook; see the module doc. */
export class HookedSink extends JsonlSink {
  readonly #onRow: RowHook | undefined;
  readonly #files: boolean;

  constructor(options: HookedSinkOptions) {
    super(options);
    this.#onRow = options.onRow;
    this.#files = options.files;
  }

  override append(signal: string, rows: readonly unknown[]): Promise<void> {
    const copies = this.#wants(signal) ? rows.map((row) => JSON.parse(JSON.stringify(row)) as Row) : [];
    return this.#then(this.#files ? super.append(signal, rows) : Promise.resolve(), signal, copies);
  }

  override appendLines(signal: string, lines: readonly string[]): Promise<void> {
    let rows: Row[] = [];
    if (this.#wants(signal)) {
      try {
        rows = lines.map((line) => JSON.parse(line));
      } catch (error) {
        return Promise.reject(new TypeError(`Cannot read a ${signal} row: ${(error as Error).message}`));
      }
    }
    return this.#then(this.#files ? super.appendLines(signal, lines) : Promise.resolve(), signal, rows);
  }

  override appendBytes(signal: string, bytes: Uint8Array): Promise<void> {
    // Decoded now: the caller reuses the buffer once the append settles.
    let rows: Row[] = [];
    if (this.#wants(signal)) {
      try {
        rows = new TextDecoder().decode(bytes).split("\n").filter((line) => line !== "").map((l) => JSON.parse(l));
      } catch (error) {
        return Promise.reject(new TypeError(`Cannot read a ${signal} row: ${(error as Error).message}`));
      }
    }
    return this.#then(this.#files ? super.appendBytes(signal, bytes) : Promise.resolve(), signal, rows);
  }

  override checkWritable(): Promise<void> {
    return this.#files ? super.checkWritable() : Promise.resolve();
  }

  #wants(signal: string): boolean {
    return this.#onRow !== undefined && ROW_SIGNALS.has(signal);
  }

  /** After `written`, calls the hook for each row in order, awaiting what it returns. */
  async #then(written: Promise<void>, signal: string, rows: Row[]): Promise<void> {
    await written;
    for (const row of rows) await this.#onRow!(signal as RowSignal, row);
  }
}
