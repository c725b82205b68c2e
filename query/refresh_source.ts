/**
 * The incremental refresh of one cache partition from its JSONL source, by byte cursor (reference §7.3): only new
 * complete lines are read and written as one more Parquet part; a truncated, rewritten or re-schema'd source starts
 * a new epoch. Crash-safe: parts are written under temporary names, flushed and renamed (`stageFile`), and only the
 * atomic cursor write commits them, so a refresh killed at any point leaves the previous cache valid. A partition
 * lock (`withFileLock`) keeps two refreshes of one partition apart, in one process or several.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import { mkdir, readdir, rm, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { stageFile } from "../platform/atomic_write.ts";
import { withFileLock } from "../platform/file_lock.ts";
import { unlessMissing } from "../platform/fs_error.ts";
import { copyCompleteLines } from "./complete_lines.ts";
import { copyToParquet } from "./copy_to_parquet.ts";
import { CACHE_SCHEMA_VERSION, type Cursor, readCursor, writeCursor } from "./cursor.ts";
import type { Db } from "./duckdb.ts";
import { literal } from "./dataset.ts";
import { freshnessOf } from "./freshness.ts";
import { headHash } from "./head_hash.ts";
import { type MalformedLine, malformedLines } from "./malformed_lines.ts";

/** Parts beyond this many are merged (the newest, small ones), so a partition refreshed often stays quick to scan. */
export const MAX_PARTS = 16;
/** A source unchanged this long is read in place on a rebuild (not copied first): nothing is appending to it. */
const QUIET_MS = 2000;
/** A retired part is deleted this long after it left the cursor, so a query already reading it can finish. */
export const RETIRE_AFTER_MS = 10 * 60_000;

/** What to refresh and how to convert its lines. */
export interface SourceSpec {
  /** The partition's cache directory. */
  dir: string;
  sourcePath: string;
  sourceId: string;
  kind: Cursor["kind"];
  /** Of the columns and their conversion; a change starts a new epoch. */
  fingerprint: string;
  meta: Record<string, unknown>;
  /**
   * A derived dataset: rows are not one per line (fewer rows than lines does not mean malformed lines), and `convert`
   * walks the whole source on every refresh, from its first byte to `ConvertContext.end` (a new epoch each time). It
   * reads the source itself: copying a day first would write it all again.
   */
  derived?: boolean;
  /**
   * Writes the rows of the JSONL `input` to a Parquet file `output`; resolves with the number of rows. `fresh` says
   * the part starts a new epoch; `firstLine` is the source line number of the first line of `input`. It may update
   * `fingerprint` and `meta` (a collection infers its columns from the lines it reads); the cursor records them.
   */
  convert(db: Db, input: string, output: string, context: ConvertContext): Promise<number>;
}

/** What a conversion is told about the lines it converts. */
export interface ConvertContext {
  fresh: boolean;
  firstLine: number;
  /** Bytes of the longest line of `input` (its read buffer is sized to it: `objectSizeFor`). */
  longestLine: number;
  /** The source offset just after its last complete line: where a `derived` spec stops reading the source. */
  end: number;
}

/** Options of {@linkcode refreshSource}. */
export interface RefreshOptions {
  /** Start a new epoch and re-read the whole source. */
  force?: boolean;
  /** Bytes and complete lines copied so far (progress on a TTY). */
  onBytes?: (bytes: number, lines: number) => void;
  /**
   * How long to wait for the partition lock another process holds (default: `withFileLock`'s); past it the refresh
   * rejects with a `FileLockTimeoutError`. A query that can read the partition in place instead passes 0.
   */
  lockTimeoutMs?: number;
}

/** What a refresh did. */
export interface RefreshOutcome {
  /** `fresh`: nothing new (or the source is gone and the cache stays); `wrote`: the cursor moved; `empty`: no source. */
  status: "fresh" | "wrote" | "empty";
  /** The part written, if any. */
  part?: string;
  /** Rows written by this refresh. */
  rows: number;
  /** Bytes of source read by this refresh. */
  bytes: number;
  malformed: MalformedLine[];
  cursor: Cursor | undefined;
}

function token(): string {
  return `${process.pid}-${randomBytes(4).toString("hex")}`;
}

function emptyCursor(spec: SourceSpec, epoch: number, previous: Cursor | undefined, now: number): Cursor {
  const retired = previous ? [...previous.retired, ...previous.parts.map((p) => ({ file: p.file, at: now }))] : [];
  return {
    cache_schema_version: CACHE_SCHEMA_VERSION,
    kind: spec.kind,
    source_id: spec.sourceId,
    source_path: spec.sourcePath,
    source_epoch: epoch,
    source_size: 0,
    source_mtime_ms: 0,
    byte_offset: 0,
    line_number: 0,
    row_count: 0,
    head_hash: "",
    schema_fingerprint: spec.fingerprint,
    parts: [],
    retired,
    refreshed_at: new Date(now).toISOString(),
    meta: spec.meta,
  };
}

/** True when `file` is still the file `before` describes, at the same size: nothing was appended or replaced. */
async function unchanged(file: string, before: { size: number; ino: number; dev: number }): Promise<boolean> {
  const after = await unlessMissing(stat(file), "read", file);
  return after !== undefined && after.size === before.size && after.ino === before.ino && after.dev === before.dev;
}

/**
 * Merges parts when there are too many, the newest ones only: from the oldest, a part stays as it is while it holds
 * at least as many rows as all the parts after it, and the parts from the first one that does not on are merged into
 * one (two at least). A partition refreshed every few seconds stays quick to scan, and its first part, the day read
 * at the first query, is not rewritten for a few thousand new rows (a day of a million rows was, every 16 refreshes).
 */
async function compact(db: Db, spec: SourceSpec, cursor: Cursor, now: number): Promise<Cursor> {
  const parts = cursor.parts;
  if (parts.length <= MAX_PARTS) return cursor;
  let later = parts.reduce((sum, p) => sum + p.rows, 0);
  let keep = 0;
  while (keep < parts.length - 2) {
    later -= parts[keep].rows;
    if (parts[keep].rows < later) break;
    keep++;
  }
  const merged = parts.slice(keep);
  const file = `epoch=${cursor.source_epoch}/part-${token()}.parquet`;
  const target = path.join(spec.dir, file);
  const files = merged.map((p) => literal(path.join(spec.dir, p.file))).join(", ");
  const staged = await stageFile(target);
  try {
    await copyToParquet(db, `SELECT * FROM read_parquet([${files}])`, staged.path);
    await staged.commit();
  } finally {
    await staged.discard();
  }
  return {
    ...cursor,
    parts: [...parts.slice(0, keep), { file, rows: merged.reduce((sum, p) => sum + p.rows, 0) }],
    retired: [...cursor.retired, ...merged.map((p) => ({ file: p.file, at: now }))],
  };
}

/** Deletes retired parts old enough that no query can still be reading them. */
async function sweep(dir: string, cursor: Cursor, now: number): Promise<Cursor> {
  const keep: Cursor["retired"] = [];
  for (const r of cursor.retired) {
    if (now - r.at >= RETIRE_AFTER_MS) await rm(path.join(dir, r.file), { force: true });
    else keep.push(r);
  }
  return keep.length === cursor.retired.length ? cursor : { ...cursor, retired: keep };
}

/**
 * Deletes what a killed refresh left behind (temporary lines and parts no cursor names). Runs under the lock, so no
 * other refresh of this partition is writing, and no query reads a part its cursor never committed.
 */
async function cleanOrphans(dir: string, ...cursors: (Cursor | undefined)[]): Promise<void> {
  const known = new Set(cursors.flatMap((c) => c ? [...c.parts, ...c.retired].map((p) => p.file) : []));
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !entry.name.startsWith("epoch=")) continue;
    for (const file of await readdir(path.join(dir, entry.name))) {
      const name = `${entry.name}/${file}`;
      if (!known.has(name)) await rm(path.join(dir, name), { force: true, recursive: true });
    }
  }
}

/**
 * The outcome of a partition that needs no work (its source is gone, or nothing complete was added since the cursor),
 * else undefined. Safe without the lock: the cursor is replaced atomically, and the parts it names outlive a refresh
 * that retires them by minutes.
 */
async function upToDate(spec: SourceSpec): Promise<RefreshOutcome | undefined> {
  const previous = await readCursor(path.join(spec.dir, "cursor.json"));
  const none = { rows: 0, bytes: 0, malformed: [], cursor: previous };
  const source = await unlessMissing(stat(spec.sourcePath), "read", spec.sourcePath);
  if (!source) return { status: previous ? "fresh" : "empty", ...none };
  const state = previous && await freshnessOf(previous, spec.sourcePath, spec.dir, spec.fingerprint);
  return state?.state === "fresh" ? { status: "fresh", ...none } : undefined;
}

/**
 * Brings one partition up to date with its source. A partition found up to date is answered without the lock, so a
 * query over many idle partitions takes none.
 *
 * @param db The DuckDB that converts lines to Parquet.
 * @param spec The partition, its source and its conversion.
 * @returns What was done; `malformed` lists lines skipped (the caller warns).
 */
export async function refreshSource(db: Db, spec: SourceSpec, options: RefreshOptions = {}): Promise<RefreshOutcome> {
  // Private, as the recordings: the cache holds the same prompts and tool output.
  await mkdir(spec.dir, { recursive: true, mode: 0o700 });
  if (!options.force) {
    const fresh = await upToDate(spec);
    if (fresh) return fresh;
  }
  return await withFileLock(path.join(spec.dir, ".refresh.lock"), async () => {
    const cursorFile = path.join(spec.dir, "cursor.json");
    const previous = await readCursor(cursorFile);
    const source = await unlessMissing(stat(spec.sourcePath), "read", spec.sourcePath);
    const none = { rows: 0, bytes: 0, malformed: [], cursor: previous };
    if (!source) return { status: previous ? "fresh" : "empty", ...none };
    const state = await freshnessOf(previous, spec.sourcePath, spec.dir, spec.fingerprint);
    const now = Date.now();
    const rebuild = options.force || state.rebuild || !previous ||
      (spec.derived === true && state.state !== "fresh");
    if (!rebuild && state.state === "fresh") return { status: "fresh", ...none };
    let base = rebuild ? emptyCursor(spec, previous ? previous.source_epoch + 1 : 0, previous, now) : previous!;
    const epochDir = path.join(spec.dir, `epoch=${base.source_epoch}`);
    await mkdir(epochDir, { recursive: true, mode: 0o700 });
    await cleanOrphans(spec.dir, base, previous);
    const from = base.byte_offset;
    const id = token();
    const incoming = path.join(epochDir, `.incoming-${id}.jsonl`);
    try {
      // A source read from its first byte is given to DuckDB as it is, not copied first (copying a day of hundreds of
      // MB doubled the refresh's I/O, on one thread), when its lines are all complete and it is not being written:
      // unchanged for a while before, and at the same size after DuckDB read it (else DuckDB may have read lines past
      // the cursor, and the copy is read instead). New lines at an offset are always copied, then read.
      const whole = !spec.derived && from === 0 && now - source.mtimeMs > QUIET_MS;
      const copy = spec.derived || whole ? undefined : incoming;
      const copied = await copyCompleteLines(spec.sourcePath, from, source.size, copy, options.onBytes);
      if (copied.lines === 0 && !rebuild) return { status: "fresh", ...none };
      let rows = 0;
      let part: string | undefined;
      let malformed: MalformedLine[] = [];
      if (copied.lines > copied.blank) {
        part = `epoch=${base.source_epoch}/part-${base.byte_offset}-${id}.parquet`;
        const target = path.join(spec.dir, part);
        const context = {
          fresh: rebuild,
          firstLine: base.line_number + 1,
          longestLine: copied.longest,
          end: copied.end,
        };
        /** Converts `input` into the part; undefined (nothing kept) when it was the source and the source grew. */
        const convert = async (input: string): Promise<number | undefined> => {
          const staged = await stageFile(target);
          try {
            const converted = await spec.convert(db, input, staged.path, context);
            if (input === spec.sourcePath && !spec.derived && !await unchanged(spec.sourcePath, source)) {
              return undefined;
            }
            await staged.commit();
            return converted;
          } finally {
            await staged.discard();
          }
        };
        let input = copy ?? spec.sourcePath;
        let converted = whole && copied.end === source.size ? await convert(spec.sourcePath) : undefined;
        if (whole && converted === undefined) {
          input = incoming;
          await copyCompleteLines(spec.sourcePath, from, copied.end, incoming);
        }
        converted ??= await convert(input);
        rows = converted ?? 0;
        if (!spec.derived && rows < copied.lines - copied.blank) {
          const end = input === spec.sourcePath ? copied.end : undefined;
          malformed = await malformedLines(input, base.line_number + 1, end);
        }
        if (rows === 0) {
          await rm(target, { force: true });
          part = undefined;
        }
      }
      base = {
        ...base,
        source_size: source.size,
        source_mtime_ms: source.mtimeMs,
        byte_offset: copied.end,
        line_number: base.line_number + copied.lines,
        row_count: base.row_count + rows,
        head_hash: (await headHash(spec.sourcePath, copied.end)) ?? "",
        parts: part ? [...base.parts, { file: part, rows }] : base.parts,
        schema_fingerprint: spec.fingerprint,
        refreshed_at: new Date(now).toISOString(),
        meta: spec.meta,
      };
      base = await sweep(spec.dir, await compact(db, spec, base, now), now);
      await writeCursor(cursorFile, base);
      return { status: "wrote", part, rows, bytes: copied.end - from, malformed, cursor: base };
    } finally {
      await rm(incoming, { force: true });
    }
  }, options.lockTimeoutMs === undefined ? {} : { timeoutMs: options.lockTimeoutMs });
}
