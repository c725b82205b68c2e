/**
 * `ctvs import`: Claude Code transcripts and Codex rollouts copied into the recordings as rows, incrementally. Each
 * file is read from where the last import left it (byte cursor and the normalizer's state, `state.ts`), line by line,
 * and its rows are appended to the day files of their dates: part rows to `<root>/<gw>/transcripts/`, usage
 * observations to `<root>/<gw>/transcript_usage/` (the sources of `transcript_messages` and `transcript_requests`).
 * The state is saved every few tens of megabytes and at the end, after the rows are on disk; a killed import is cut
 * back to the last save by the next one, so an import never adds a row twice.
 *
 * @module
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { utcDate } from "../../storage/utc_date.ts";
import { headHash } from "../head_hash.ts";
import { FileLockTimeoutError, withFileLock } from "../../platform/file_lock.ts";
import { ignorableLine, transcriptNormalizer, type TranscriptSource } from "../transcript_rows/mod.ts";
import { DayRows } from "./day_rows.ts";
import { readTranscript, type TranscriptItem } from "./read_transcript.ts";
import { listTranscripts, type TranscriptFile, transcriptRoots } from "./sources.ts";
import {
  emptyImportState,
  type FileCursor,
  type ImportState,
  importStatePath,
  readImportState,
  rollBack,
  writeImportState,
} from "./state.ts";

/** Options of {@linkcode importTranscripts}. */
export interface ImportOptions {
  /** The recording root (`sink.dir`). */
  root: string;
  gatewayId: string;
  sources: readonly TranscriptSource[];
  /** `--path`: read this directory instead of the clients' own (one source). */
  path?: string;
  /** `YYYY-MM-DD`: only lines of this UTC day and later. */
  since?: string | null;
  env?: Record<string, string | undefined>;
  /** Progress: bytes read of the bytes to read, rows written. */
  onProgress?: (progress: ImportProgress) => void;
  /** A line skipped (malformed or too long), or a file left alone. */
  onIssue?: (issue: ImportIssue) => void;
  /** Save the state after about this many bytes read (default 64 MiB). */
  checkpointBytes?: number;
}

/** How far an import is. */
export interface ImportProgress {
  bytes: number;
  totalBytes: number;
  rows: number;
}

/** Something skipped. */
export interface ImportIssue {
  kind: "malformed" | "oversized" | "changed" | "compressed";
  path: string;
  line?: number;
  reason: string;
}

/** What one source's import did. */
export interface SourceSummary {
  /** Transcript files found. */
  files: number;
  /** Of those, files with new lines read. */
  read: number;
  /** Lines read (the malformed and skipped ones included). */
  lines: number;
  bytes: number;
  /** Part rows written (`transcript_messages`). */
  parts: number;
  /** Usage observations written (`transcript_requests` counts each request once). */
  usage: number;
  malformed: number;
  oversized: number;
  /** Files that changed before what was imported (rewritten or cut): left alone. */
  changed: number;
}

/** What an import did. */
export interface ImportSummary {
  sources: Partial<Record<TranscriptSource, SourceSummary>>;
  /** Day files a killed import had written past its last save, cut back. */
  rolledBack: number;
  /** Rollouts kept compressed (`.jsonl.zst`), not read. */
  compressed: number;
  roots: { source: TranscriptSource; dir: string }[];
}

function emptySummary(): SourceSummary {
  return { files: 0, read: 0, lines: 0, bytes: 0, parts: 0, usage: 0, malformed: 0, oversized: 0, changed: 0 };
}

/** The UTC day of an ISO time, or undefined. */
function dayOf(ts: string | null): string | undefined {
  if (!ts) return undefined;
  const ms = Date.parse(ts);
  return Number.isNaN(ms) ? undefined : utcDate(new Date(ms));
}

/** Days `[from, to)` of the rows to write (null: unbounded). */
interface Window {
  from: string | null;
  to: string | null;
}

function inWindow(day: string, w: Window): boolean {
  return (w.from === null || day >= w.from) && (w.to === null || day < w.to);
}

/** One pass over a byte range of a file. */
interface Pass {
  file: TranscriptFile;
  cursor: FileCursor;
  /** Lines read before `range`'s end only feed the normalizer (a backfill re-reads what was read). */
  window: Window;
  /** Where the pass stops: the listed size (main pass) or the old cursor (backfill). */
  end: number;
  /** Update the cursor (main pass) or leave it (backfill). */
  advance: boolean;
  /** A backfill: the `--since` the file's cursor takes once it is done. */
  since?: string | null;
}

/**
 * Imports the transcripts of `options.sources` into `options.root` for `options.gatewayId`.
 *
 * @returns What was read and written, per source.
 */
export async function importTranscripts(options: ImportOptions): Promise<ImportSummary> {
  const stateFile = importStatePath(options.root, options.gatewayId);
  const lock = path.join(path.dirname(stateFile), ".import.lock");
  await mkdir(path.dirname(stateFile), { recursive: true, mode: 0o700 });
  return await withFileLock(lock, () => run(options, stateFile), { timeoutMs: 2_000 }).catch((error) => {
    if (!(error instanceof FileLockTimeoutError)) throw error;
    throw new Error(
      `Cannot import: another ctvs import is writing to ${path.dirname(stateFile)} ` +
        `(process ${error.ownerPid ?? "unknown"}); if none is running, remove ${lock}`,
    );
  });
}

async function run(options: ImportOptions, stateFile: string): Promise<ImportSummary> {
  const { root, gatewayId } = options;
  const since = options.since ?? null;
  const existing = await readImportState(stateFile);
  const undone = await rollBack(root, gatewayId, existing, stateFile);
  const state: ImportState = existing ?? emptyImportState();
  const summary: ImportSummary = { sources: {}, rolledBack: undone.cut.length, compressed: 0, roots: [] };
  const passes: Pass[] = [];
  for (const source of options.sources) {
    const roots = await transcriptRoots(source, { path: options.path, env: options.env });
    summary.roots.push(...roots);
    const listing = await listTranscripts(roots);
    summary.compressed += listing.compressed.length;
    for (const file of listing.compressed) {
      options.onIssue?.({ kind: "compressed", path: file, reason: "compressed rollouts (.jsonl.zst) are not read" });
    }
    const sourceSummary = summary.sources[source] ??= emptySummary();
    sourceSummary.files += listing.files.length;
    for (const file of listing.files) passes.push(...await plan(file, state, since, sourceSummary, options));
  }
  const rows = new DayRows(root, gatewayId);
  const progress: ImportProgress = { bytes: 0, totalBytes: 0, rows: 0 };
  for (const p of passes) progress.totalBytes += p.end - (p.advance ? p.cursor.offset : 0);
  const checkpointBytes = options.checkpointBytes ?? 64 * 1024 * 1024;
  let sinceCheckpoint = 0;
  // Cursors moved since the last save: their head hash is taken again (it covers up to 4 KiB of what was read).
  const moved = new Set<FileCursor>();
  const save = async () => {
    for (const cursor of moved) cursor.headHash = (await headHash(cursor.path, cursor.offset)) ?? "";
    moved.clear();
    Object.assign(state.sinks, await rows.close());
    await writeImportState(stateFile, state);
    sinceCheckpoint = 0;
  };
  options.onProgress?.(progress);
  for (const pass of passes) {
    const s = summary.sources[pass.file.source]!;
    if (pass.advance) moved.add(pass.cursor);
    const read = await runPass(pass, rows, s, progress, options, async (bytes, sync) => {
      sinceCheckpoint += bytes;
      if (sinceCheckpoint < checkpointBytes) return;
      sync();
      await save();
      moved.add(pass.cursor);
    });
    if (pass.advance && read) s.read++;
  }
  await save();
  options.onProgress?.(progress);
  return summary;
}

/** The passes a file needs: a backfill of days an earlier `--since` left out, then its new lines. */
async function plan(
  file: TranscriptFile,
  state: ImportState,
  since: string | null,
  summary: SourceSummary,
  options: ImportOptions,
): Promise<Pass[]> {
  let cursor = state.files[file.key];
  if (cursor) {
    const head = file.size < cursor.offset
      ? undefined
      : cursor.offset === 0
      ? cursor.headHash
      : await headHash(file.path, cursor.offset);
    if (head !== cursor.headHash) {
      summary.changed++;
      options.onIssue?.({
        kind: "changed",
        path: file.path,
        reason: `it no longer starts with the ${cursor.offset} bytes imported from it; left alone`,
      });
      return [];
    }
    cursor.path = file.path;
  } else {
    cursor = state.files[file.key] = {
      source: file.source,
      path: file.path,
      offset: 0,
      line: 0,
      headHash: "",
      since,
      normalizer: undefined,
    };
  }
  const passes: Pass[] = [];
  const earlier = cursor.since !== null && (since === null || since < cursor.since);
  if (earlier && cursor.offset > 0) {
    passes.push({ file, cursor, window: { from: since, to: cursor.since }, end: cursor.offset, advance: false, since });
  } else if (earlier) cursor.since = since;
  if (file.size > cursor.offset) {
    passes.push({
      file,
      cursor,
      window: { from: earlier ? since : cursor.since, to: null },
      end: file.size,
      advance: true,
    });
  }
  return passes;
}

/** Runs one pass; resolves with whether it read a line. */
async function runPass(
  pass: Pass,
  rows: DayRows,
  summary: SourceSummary,
  progress: ImportProgress,
  options: ImportOptions,
  afterLine: (bytes: number, sync: () => void) => Promise<void>,
): Promise<boolean> {
  const { file, cursor, window } = pass;
  // A backfill starts the file over with a fresh normalizer, so its rows are the ones a first read would have made.
  const normalizer = transcriptNormalizer(file.source, pass.advance ? cursor.normalizer : undefined);
  const start = pass.advance ? { offset: cursor.offset, line: cursor.line + 1 } : { offset: 0, line: 1 };
  const fallbackDay = utcDate(new Date(file.mtimeMs));
  let position = start.offset;
  let read = false;
  const items = readTranscript(file.path, {
    offset: start.offset,
    line: start.line,
    size: pass.end,
    ignore: (text) => ignorableLine(file.source, text),
  });
  // The normalizer's state goes into the cursor when the state is saved and at the end, not on every line.
  const sync = () => void (cursor.normalizer = normalizer.state);
  for await (const item of items) {
    read = true;
    if (pass.advance) summary.lines++;
    if (item.kind === "line") {
      progress.rows += await writeRows(item, normalizer, rows, window, summary, fallbackDay, file);
    } else if (item.kind !== "ignored" && pass.advance) report(item, file, summary, options);
    const bytes = item.end - position;
    position = item.end;
    progress.bytes += bytes;
    if (pass.advance) {
      summary.bytes += bytes;
      cursor.offset = item.end;
      cursor.line = item.number;
    }
    options.onProgress?.(progress);
    // No save inside a backfill: a killed one is cut back and done again whole.
    if (pass.advance) await afterLine(bytes, sync);
  }
  if (pass.advance && read) sync();
  if (!pass.advance) cursor.since = pass.since ?? null;
  return read;
}

function report(
  item: Extract<TranscriptItem, { kind: "malformed" | "oversized" }>,
  file: TranscriptFile,
  summary: SourceSummary,
  options: ImportOptions,
): void {
  summary[item.kind]++;
  options.onIssue?.({ kind: item.kind, path: file.path, line: item.number, reason: item.reason });
}

async function writeRows(
  item: Extract<TranscriptItem, { kind: "line" }>,
  normalizer: ReturnType<typeof transcriptNormalizer>,
  rows: DayRows,
  window: Window,
  summary: SourceSummary,
  fallbackDay: string,
  file: TranscriptFile,
): Promise<number> {
  const out = normalizer.line(item.value, { sourcePath: file.path, sourceOffset: item.offset });
  let written = 0;
  for (const part of out.parts) {
    const day = dayOf(part.message_created_at) ?? fallbackDay;
    if (!inWindow(day, window)) continue;
    await rows.write("transcripts", day, JSON.stringify(part));
    summary.parts++;
    written++;
  }
  for (const usage of out.usage) {
    const day = dayOf(usage.ts_start) ?? fallbackDay;
    if (!inWindow(day, window)) continue;
    await rows.write("transcript_usage", day, JSON.stringify(usage));
    summary.usage++;
    written++;
  }
  return written;
}
