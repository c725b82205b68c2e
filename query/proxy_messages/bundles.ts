/**
 * Groups a proxy day file into exchanges: each `exchange` row with the `stream_event` rows of the same
 * `exchange_id`, in the order each exchange first appears in the file (reference §6.1 step 1). Streams: a finished
 * exchange is handed on as soon as every exchange that appeared before it is finished; one that must wait keeps only
 * its events and the position of its row, read again when its turn comes. Exchanges still in flight at the end of
 * the file (no exchange row yet) are left out; the next refresh sees them whole.
 *
 * @module
 */
import { open } from "node:fs/promises";
import { readLines, readRange } from "./read_lines.ts";

/** A stream event row as recorded. */
export interface StreamEvent {
  event: string;
  data: string;
  t_ms?: number;
}

/** One exchange: its row (parsed) and its events in order. */
export interface Bundle {
  // deno-lint-ignore no-explicit-any
  exchange: Record<string, any>;
  events: StreamEvent[];
}

interface Pending {
  events: StreamEvent[];
  // deno-lint-ignore no-explicit-any
  row?: Record<string, any>;
  at?: { offset: number; bytes: number };
}

// Rows smaller than this are kept in memory while they wait; larger ones are read again.
const KEEP_BYTES = 256 * 1024;

/** Options of {@linkcode readBundles}. */
export interface BundleOptions {
  /** Called with each malformed line's 1-based number. */
  onMalformed?: (line: number) => void;
  /** Called with the byte offset reached (progress). */
  onBytes?: (bytes: number) => void;
  /** Read only up to this byte offset (a file still growing). */
  end?: number;
}

/**
 * Yields the exchanges of `file` in first-appearance order.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
 * import { tmpdir } from "node:os";
 * const dir = mkdtempSync(`${tmpdir()}/bundles-`);
 * const file = `${dir}/d.jsonl`;
 * const rows = [
 *   { exchange_id: "a", kind: "stream_event", event: "ping", data: "{}" },
 *   { exchange_id: "b", kind: "exchange", ts_start: "t2" },
 *   { exchange_id: "a", kind: "exchange", ts_start: "t1" },
 * ];
 * writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n") + "\n");
 * const seen = [];
 * for await (const b of readBundles(file)) seen.push([b.exchange.exchange_id, b.events.length]);
 * assert.deepEqual(seen, [["a", 1], ["b", 0]]);
 * rmSync(dir, { recursive: true });
 * ```
 */
export async function* readBundles(file: string, options: BundleOptions = {}): AsyncGenerator<Bundle> {
  const pending = new Map<string, Pending>();
  const handle = await open(file, "r");
  let lineNumber = 0;
  try {
    for await (const line of readLines(file, { end: options.end })) {
      lineNumber++;
      options.onBytes?.(line.offset + line.bytes);
      // deno-lint-ignore no-explicit-any
      let row: any;
      try {
        row = JSON.parse(line.text);
      } catch {
        options.onMalformed?.(lineNumber);
        continue;
      }
      const id = row?.exchange_id;
      if (typeof id !== "string") continue;
      let entry = pending.get(id);
      if (!entry) pending.set(id, entry = { events: [] });
      if (row.kind === "stream_event") {
        entry.events.push({ event: String(row.event ?? "message"), data: String(row.data ?? ""), t_ms: row.t_ms });
        continue;
      }
      if (row.kind !== "exchange") continue;
      if (pending.keys().next().value !== id) {
        if (line.bytes <= KEEP_BYTES) entry.row = row;
        else entry.at = { offset: line.offset, bytes: line.bytes };
        continue;
      }
      pending.delete(id);
      yield { exchange: row, events: entry.events };
      // Hand on every finished exchange that was waiting behind this one.
      for (const [next, waiting] of pending) {
        if (!waiting.row && !waiting.at) break;
        pending.delete(next);
        yield {
          exchange: waiting.row ?? JSON.parse(await readRange(handle, waiting.at!.offset, waiting.at!.bytes)),
          events: waiting.events,
        };
      }
    }
    for (const [, waiting] of pending) {
      if (!waiting.row && !waiting.at) continue;
      yield {
        exchange: waiting.row ?? JSON.parse(await readRange(handle, waiting.at!.offset, waiting.at!.bytes)),
        events: waiting.events,
      };
    }
  } finally {
    await handle.close();
  }
}
