/**
 * The `transcript_requests` derivation of one gateway's day of usage observations: the observations of a request (one
 * `usage_key`) become one row, the one with the largest output count (Claude Code repeats an answer's usage on each of
 * its lines, and older versions wrote a growing count), priced by the same table as `llm_requests`. A request already
 * counted on an earlier day (a sidechain or a forked rollout replaying it, an answer going past midnight) is left out.
 *
 * @module
 */
import type { DerivedRows } from "../dataset.ts";
import { literal } from "../dataset.ts";
import type { Db } from "../duckdb.ts";
import { PRICE_DATA_VERSION, priceOfTokens } from "../pricing.ts";
import { earlierParts } from "../proxy_messages/earlier_parts.ts";
import { JsonlWriter } from "../proxy_messages/jsonl_writer.ts";
import { readLines } from "../proxy_messages/read_lines.ts";
import type { TranscriptUsageRow } from "../transcript_rows/mod.ts";

/** The usage keys the partitions before `date` beside `dir` counted. */
async function earlierKeys(db: Db, dir: string, date: string): Promise<Set<string>> {
  const keys = new Set<string>();
  const parts = await earlierParts(dir, date);
  if (!parts.length) return keys;
  const result = await db.connection.stream(
    `SELECT DISTINCT usage_key FROM read_parquet([${parts.map(literal).join(", ")}])`,
  );
  for await (const chunk of result.yieldRowsJs()) for (const [key] of chunk) keys.add(String(key));
  return keys;
}

/** What is kept of a request while its day is read: its best observation as text (parsed again at the end). */
interface Request {
  /** The line of the observation with the largest output count (then one with a finish reason). */
  line: string;
  output: number;
  finished: boolean;
  tsStart: string | null;
  observations: number;
}

/** Whether observation `u` says more than the one kept: a larger output count, else a finish reason it lacks. */
function better(u: TranscriptUsageRow, kept: Request): boolean {
  const output = u.output_tokens ?? -1;
  if (output !== kept.output) return output > kept.output;
  return u.finish_reason !== null && !kept.finished;
}

/** One `transcript_requests` row (without `gateway_id` and `date`). */
function requestRow(request: Request): Record<string, unknown> {
  const u: TranscriptUsageRow = JSON.parse(request.line);
  const price = priceOfTokens(u.provider, u.model, u, request.tsStart);
  return {
    ts_start: request.tsStart,
    provider: u.provider,
    api: u.api,
    model: u.model,
    conversation_id: u.conversation_id,
    conversation_source: u.conversation_source,
    cwd: u.cwd,
    git_branch: u.git_branch,
    finish_reason: u.finish_reason,
    input_tokens: u.input_tokens,
    cache_read_tokens: u.cache_read_tokens,
    cache_write_tokens: u.cache_write_tokens,
    output_tokens: u.output_tokens,
    reasoning_tokens: u.reasoning_tokens,
    total_tokens: u.input_tokens !== null && u.output_tokens !== null ? u.input_tokens + u.output_tokens : null,
    cost_usd: price?.costUsd ?? null,
    price_model: price?.model ?? null,
    price_version: PRICE_DATA_VERSION,
    request_id: u.request_id,
    response_id: u.response_id,
    usage_key: u.usage_key,
    observations: request.observations,
    session_id: u.session_id,
    agent_id: u.agent_id,
    is_sidechain: u.is_sidechain,
    version: u.version,
    source_path: u.source_path,
  };
}

/** Writes the requests of the day in `input` as JSONL to `output`, in the order they were first observed. */
export async function deriveTranscriptRequests(
  db: Db,
  input: string,
  output: string,
  partition: { date: string; dir: string; end?: number },
): Promise<DerivedRows> {
  const earlier = await earlierKeys(db, partition.dir, partition.date);
  // Only the best observation's text is kept per request: a day's parsed observations would weigh ten times more.
  const requests = new Map<string, Request>();
  for await (const line of readLines(input, { end: partition.end })) {
    let u: TranscriptUsageRow;
    try {
      u = JSON.parse(line.text);
    } catch {
      continue;
    }
    if (typeof u?.usage_key !== "string" || earlier.has(u.usage_key)) continue;
    const known = requests.get(u.usage_key);
    if (!known) {
      requests.set(u.usage_key, {
        line: line.text,
        output: u.output_tokens ?? -1,
        finished: u.finish_reason !== null,
        tsStart: u.ts_start,
        observations: 1,
      });
      continue;
    }
    known.observations++;
    if (u.ts_start && (!known.tsStart || u.ts_start < known.tsStart)) known.tsStart = u.ts_start;
    if (better(u, known)) {
      known.line = line.text;
      known.output = u.output_tokens ?? -1;
      known.finished = u.finish_reason !== null;
    }
  }
  const writer = await JsonlWriter.create(output);
  try {
    for (const request of requests.values()) await writer.write(requestRow(request));
  } finally {
    await writer.close();
  }
  return { files: writer.files, rows: writer.count, maxLineBytes: writer.maxLineBytes };
}
