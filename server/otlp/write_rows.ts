/**
 * The receiver's "export" step: a request's rows, and its envelope under `raw/`, appended to the sink. It resolves
 * only once every byte is in the files, so the 200 that follows means the data is kept.
 *
 * @module
 */
import type { JsonlSink } from "../../storage/jsonl_sink.ts";
import { OtlpError } from "./otlp_error.ts";
import type { Signal } from "./signals.ts";

/**
 * Appends the row `lines` (JSON, one per row) to `<signal>/` (skipped when there are none), then `rawLine` to
 * `raw/<signal>/` (when given), both dated by the UTC time they are written. Rows go first: when the disk fails
 * (full, unwritable) the rows fail and nothing at all is written, so the client's retry duplicates nothing. A failed
 * write is a 503 (the client keeps the data and retries); a line the sink refuses is a bug, a 500.
 */
export async function writeRows(
  sink: JsonlSink,
  signal: Signal,
  lines: readonly string[],
  rawLine: string | undefined,
): Promise<void> {
  try {
    if (lines.length > 0) await sink.appendLines(signal.name, lines);
    if (rawLine !== undefined) await sink.appendLines(`raw/${signal.name}`, [rawLine]);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The sink rejects a line with a newline with a TypeError, and a failed or closed file with an Error.
    throw new OtlpError(error instanceof TypeError ? "internal" : "unavailable", message, { cause: error });
  }
}
