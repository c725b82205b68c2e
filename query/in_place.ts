/**
 * Reading a partition's uncached lines straight from its JSONL, through the typed SELECT the cache's conversion uses
 * (`jsonlSelect`), so that a query over a day the cache lacks answers at the speed of DuckDB's JSON scan instead of
 * converting every column of the day first: DuckDB then turns into values only the fields the query names.
 *
 * The rows are the ones a refresh of the same bytes writes, with the same types: malformed lines dropped the same way
 * (by the same SELECT), and only complete lines. A day nothing of which is cached (or whose cache must be rebuilt) is
 * read in place; new lines after the cursor are copied first (DuckDB reads whole files), like a refresh copies them.
 * A day being written may gain lines while DuckDB reads it: those may count or not, as they would a moment later.
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { randomBytes } from "node:crypto";
import { mkdir, open, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { unlessMissing } from "../platform/fs_error.ts";
import { copyCompleteLines } from "./complete_lines.ts";
import { jsonlSelect, MIN_OBJECT_BYTES, objectSizeFor } from "./jsonl_select.ts";
import type { Partition } from "./partitions.ts";
import type { PartitionStatus } from "./partition_status.ts";

/**
 * Uncached bytes from which a query reads a partition in place (and leaves the conversion to a background refresh)
 * instead of refreshing it first: converting 64 MiB of JSONL costs about 0.2 s of CPU, reading it in place a quarter
 * of that. `COLLECTIVUS_QUERY_IN_PLACE_BYTES` changes it.
 */
export const IN_PLACE_BYTES = 64 * 1024 * 1024;

/** {@linkcode IN_PLACE_BYTES}, or what `COLLECTIVUS_QUERY_IN_PLACE_BYTES` says (a whole number of bytes). */
export function inPlaceBytes(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const text = env.COLLECTIVUS_QUERY_IN_PLACE_BYTES;
  return text !== undefined && /^\d+$/.test(text) ? Number(text) : IN_PLACE_BYTES;
}

/** How a query reads one partition whose lines are not all cached. */
export interface InPlaceRead {
  /** The cached Parquet parts that still hold (none when the cache is missing or must be rebuilt). */
  parts: string[];
  /** The typed SELECT of the dataset's columns over the uncached lines; undefined when there are none. */
  select?: string;
  /** Bytes of JSONL the SELECT reads. */
  bytes: number;
  /** The copy of the new lines it reads, if any: remove it with {@linkcode discardInPlace} once the query is done. */
  copy?: string;
}

/** Where the uncached lines start: 0 when nothing is cached or the cache must be rebuilt, else the cursor. */
function startOf(status: PartitionStatus): number {
  return status.cursor && !status.freshness.rebuild ? status.cursor.byte_offset : 0;
}

/**
 * Bytes of `status`'s source that its cache does not hold (0 for a fresh partition or a source that is gone).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { LOGS } from "./datasets.ts";
 * const partition = { dataset: LOGS, gatewayId: "gw", date: "2025-03-01", sourcePath: "/nonexistent.jsonl", dir: "/c" };
 * const status = { partition, cursor: undefined, freshness: { state: "missing" as const, reason: "", rebuild: true } };
 * assert.equal(await uncachedBytes(status), 0);
 * ```
 */
export async function uncachedBytes(status: PartitionStatus): Promise<number> {
  if (status.freshness.state === "fresh") return 0;
  const source = await unlessMissing(stat(status.partition.sourcePath), "read", status.partition.sourcePath);
  return source ? Math.max(0, source.size - startOf(status)) : 0;
}

/** Reads up to `length` bytes of `file` at `position`. */
async function readAt(file: string, position: number, length: number): Promise<Uint8Array> {
  const handle = await open(file, "r");
  try {
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, position);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
  } finally {
    await handle.close();
  }
}

const NL = 0x0a;
const CLOSE_BRACE = 0x7d;
const STEP = 64 * 1024;

/**
 * Where the complete lines of the first `size` bytes of `file` end (just after the last newline; 0 if none), and
 * whether the bytes after that (a line still being written) hold a `}`: without one they cannot make a JSON object,
 * so DuckDB drops them as it drops a malformed line; with one they could make a row, which a refresh never reads.
 */
async function lastLine(file: string, size: number): Promise<{ end: number; brace: boolean }> {
  let brace = false;
  for (let end = size; end > 0;) {
    const start = Math.max(0, end - STEP);
    const bytes = await readAt(file, start, end - start);
    const nl = bytes.lastIndexOf(NL);
    brace ||= bytes.subarray(nl + 1).includes(CLOSE_BRACE);
    if (nl !== -1) return { end: start + nl + 1, brace };
    end = start;
  }
  return { end: 0, brace };
}

/**
 * Whether every line of the first `end` bytes of `file` (complete lines) is shorter than `limit` bytes, by looking
 * for a newline in each window of `limit / 2` bytes: a line of `limit` bytes or more would hold a whole window. Reads
 * a few KB per window, not the file: measuring every line of a day costs a third of reading it in place.
 */
async function linesShorterThan(file: string, end: number, limit: number): Promise<boolean> {
  const window = Math.floor(limit / 2);
  for (let start = 0; start < end; start += window) {
    const stop = Math.min(end, start + window);
    let found = false;
    for (let at = start; at < stop && !found; at += STEP) {
      const bytes = await readAt(file, at, Math.min(STEP, stop - at));
      if (bytes.length === 0) return true;
      found = bytes.includes(NL);
    }
    if (!found) return false;
  }
  return true;
}

/**
 * The `maximum_object_size` (DuckDB's read buffer must hold the longest line) to read the first `size` bytes of `file`
 * in place with, or undefined when they cannot be read in place: their last line is still being written and could
 * make a row.
 */
async function inPlaceObjectSize(file: string, size: number): Promise<number | undefined> {
  const { end, brace } = await lastLine(file, size);
  if (brace) return undefined;
  // The line being written is read too (and dropped), so it must fit as well.
  const tail = size - end;
  if (tail < MIN_OBJECT_BYTES - 1 && await linesShorterThan(file, end, MIN_OBJECT_BYTES)) return MIN_OBJECT_BYTES;
  // Some line is long (an LLM body of tens of MB): measure them all, as a refresh does.
  return objectSizeFor(Math.max(tail, (await copyCompleteLines(file, 0, size)).longest));
}

/** Removes copies left by queries that died before removing theirs (`<pid>-<random>.jsonl`, the pid gone). */
async function sweepScratch(dir: string): Promise<void> {
  for (const name of await readdir(dir)) {
    const pid = Number(/^(\d+)-[0-9a-f]+\.jsonl$/.exec(name)?.[1]);
    if (!pid || pid === process.pid) continue;
    try {
      process.kill(pid, 0);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ESRCH") await rm(path.join(dir, name), { force: true });
    }
  }
}

/**
 * Prepares the read of `status`'s uncached lines. A source read from its first byte is read in place, unless its
 * last line is still being written and could make a row (checked again a moment later: a write in progress ends);
 * new lines after the cursor, and that case, are copied to `scratchDir` (complete lines only) and the copy read.
 *
 * @param status A partition that is not fresh.
 * @param scratchDir A private directory SQL may read (under the cache), for copies.
 */
export async function readInPlace(status: PartitionStatus, scratchDir: string): Promise<InPlaceRead> {
  const p: Partition = status.partition;
  const from = startOf(status);
  const parts = from === 0 ? [] : status.cursor!.parts.map((part) => path.join(p.dir, part.file));
  const partition = { gatewayId: p.gatewayId, date: p.date };
  const size = async () => (await unlessMissing(stat(p.sourcePath), "read", p.sourcePath))?.size ?? 0;
  if (from === 0) {
    let bytes = await size();
    let objectSize = await inPlaceObjectSize(p.sourcePath, bytes);
    if (objectSize === undefined) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      bytes = await size();
      objectSize = await inPlaceObjectSize(p.sourcePath, bytes);
    }
    if (objectSize !== undefined) {
      const select = bytes === 0 ? undefined : jsonlSelect(p.dataset, p.sourcePath, partition, objectSize);
      return { parts, select, bytes };
    }
  }
  await mkdir(scratchDir, { recursive: true, mode: 0o700 });
  await sweepScratch(scratchDir);
  const copy = path.join(scratchDir, `${process.pid}-${randomBytes(6).toString("hex")}.jsonl`);
  try {
    const copied = await copyCompleteLines(p.sourcePath, from, await size(), copy);
    const select = copied.lines > copied.blank
      ? jsonlSelect(p.dataset, copy, partition, objectSizeFor(copied.longest))
      : undefined;
    return { parts, select, bytes: copied.end - from, copy };
  } catch (err) {
    await rm(copy, { force: true });
    throw err;
  }
}

/** Removes the copies `reads` made. */
export async function discardInPlace(reads: readonly (InPlaceRead | undefined)[]): Promise<void> {
  for (const read of reads) if (read?.copy) await rm(read.copy, { force: true });
}
