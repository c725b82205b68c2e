/**
 * The `proxy_messages` derivation of one gateway's day: its exchanges walked in order into rows, written as JSONL
 * with the system text and tools of each exchange written once per distinct value (`shared_columns.ts`). Loaded only
 * when a day is derived (`dataset.ts` imports it on demand), so a query of a cached day does not load the walker.
 *
 * @module
 */
import path from "node:path";
import type { DerivedRows } from "../dataset.ts";
import type { Db } from "../duckdb.ts";
import { TranscriptLookup } from "../transcripts.ts";
import { readBundles } from "./bundles.ts";
import { JsonlWriter } from "./jsonl_writer.ts";
import { priorSeen } from "./prior_seen.ts";
import { SHARED_COLUMNS, SharedColumns } from "./shared_columns.ts";
import { MessageWalker, readExchange } from "./walker.ts";

// The rows of a file, their shared columns joined back, weigh at most this many characters: DuckDB converts a file
// in chunks that never span two, so this bounds its memory (a 2,048-row chunk of 30 KB rows is 60 MB, and copied
// several times on its way to Parquet).
const PART_CHARS = 4 * 1024 * 1024;

/**
 * Walks the day in `input` into `proxy_messages` rows (JSONL at `output` and after it, their shared columns in
 * `shared.jsonl` beside it), after the earlier days' ids; a Claude Code exchange whose hook context lacks `cwd` or
 * `git_branch` reads its session's transcript.
 */
export async function deriveProxyMessages(
  db: Db,
  input: string,
  output: string,
  partition: { date: string; dir: string; end?: number },
): Promise<DerivedRows> {
  const transcripts = new TranscriptLookup();
  const walker = new MessageWalker({
    priorSeen: await priorSeen(db, partition.dir, partition.date),
    transcript: (session, at) => transcripts.entry(session, at),
  });
  const shared = new SharedColumns();
  const sharedFile = path.join(path.dirname(output), "shared.jsonl");
  const rows = await JsonlWriter.create(output, { partWeight: PART_CHARS });
  let sharedRows: JsonlWriter | undefined;
  try {
    sharedRows = await JsonlWriter.create(sharedFile);
    for await (const bundle of readBundles(input, { end: partition.end })) {
      const read = readExchange(bundle);
      if (!read) continue;
      if (read.transcriptSession) await transcripts.load(read.transcriptSession);
      const lines = walker.lines(read, shared);
      for (const line of shared.take()) await sharedRows.writeLine(line);
      // Weighed with the shared columns DuckDB joins back: what a chunk of rows holds when it is written.
      for (const line of lines) await rows.writeLine(line, line.length + shared.lastChars);
    }
  } finally {
    await rows.close();
    await sharedRows?.close();
  }
  return {
    files: rows.files,
    rows: rows.count,
    maxLineBytes: rows.maxLineBytes,
    shared: { file: sharedFile, columns: SHARED_COLUMNS, maxLineBytes: shared.maxLineBytes },
  };
}
