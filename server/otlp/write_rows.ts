/**
 * The receiver's "export" step: a request's rows, and its envelope under `raw/`, appended to the sink. It resolves
 * only once every byte is in the files, so the 200 that follows means the data is kept.
 *
 * @module
 */
import type { RowSink } from "../../storage/row_sink.ts";
import { OtlpError } from "./otlp_error.ts";
import type { Signal } from "./signals.ts";

/**
 * Appends `rows` (encoded JSON lines) to `<signal>/` (skipped when there are none), then `raw` (the envelope's line)
 * to `raw/<signal>/` (when given), both dated by the UTC time they are written. Rows go first: when the disk fails
 * (full, unwritable) the rows fail and nothing at all is written, so the client's retry duplicates nothing. A failed
 * write is a 503 (the client keeps the data and retries); bytes the sink refuses are a bug, a 500.
 */
export async function writeRows(
  sink: RowSink,
  signal: Signal,
  rows: Uint8Array,
  raw: Uint8Array | undefined,
): Promise<void> {
  try {
    if (rows.byteLength > 0) await sink.appendBytes(signal.name, rows);
    if (raw !== undefined) await sink.appendBytes(`raw/${signal.name}`, raw);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    // The sink rejects bytes that are not whole lines with a TypeError, and a failed or closed file with an Error.
    throw new OtlpError(error instanceof TypeError ? "internal" : "unavailable", message, { cause: error });
  }
}
