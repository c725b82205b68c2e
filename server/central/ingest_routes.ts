/**
 * `POST /v1/ingest/<logs|traces|metrics|proxy>`: a gateway's batch of NDJSON rows (reference §10.3). The gateway is
 * authenticated and must be registered; admission (503/429) is decided before the body is read; the body may be at
 * most 16 MiB; rows are stamped and written, fsync'd, into `<sink_dir>/<gateway_id>/<signal>/<UTC day>.jsonl`. A
 * batch named by `X-Ctvs-Batch-Id` that was written before is not written again (exactly once in Central's files).
 *
 * @module
 */
import { Hono } from "hono";
import { isoTimestamp } from "../../storage/utc_date.ts";
import { ByteBuffer } from "../../storage/byte_buffer.ts";
import { BATCH_ID, BATCH_ID_HEADER } from "../batch_id.ts";
import { HttpError } from "../http_error.ts";
import { BodyError, readBody } from "../read_body.ts";
import { Slots } from "../slots.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";
import { authenticate } from "./auth.ts";
import type { CentralContext } from "./context.ts";
import { stampRows } from "./ingest_rows.ts";

/** The signals a gateway ships. */
export const INGEST_SIGNALS = ["logs", "traces", "metrics", "proxy"] as const;

/** The largest ingest body: 16 MiB. */
export const MAX_INGEST_BYTES = 16 * 1024 * 1024;

const CONTENT_TYPES = ["application/x-ndjson", "application/jsonl"];

/**
 * How many admitted requests are read, parsed and written at once; the others wait with their bodies unread (and
 * count as pending, so admission sees them). Each slot keeps its buffers, cut back to this size after a big batch.
 */
const INGEST_CONCURRENCY = 8;
const KEEP_BUFFER_BYTES = 2 * 1024 * 1024;
const decoder = new TextDecoder();

/**
 * The ingest routes. A request's body and its stamped rows live in its slot's buffers, reused request after request:
 * memory that is filled and cleared again, not a new megabyte per batch for the native heap to grow on.
 */
export function ingestRoutes(context: CentralContext): Hono {
  const app = new Hono();
  const slots = new Slots(INGEST_CONCURRENCY, () => ({ body: new ByteBuffer(), rows: new ByteBuffer() }));
  app.post("/v1/ingest/:signal", async (c) => {
    const signal = c.req.param("signal");
    if (!(INGEST_SIGNALS as readonly string[]).includes(signal)) throw new HttpError(404, { error: "unknown signal" });
    const gatewayId = await authenticate(c.req.raw, context, { requireConfig: true });
    const type = (c.req.header("content-type") ?? "").split(";", 1)[0].trim().toLowerCase();
    if (!CONTENT_TYPES.includes(type)) {
      throw new HttpError(415, { error: "expected application/x-ndjson or application/jsonl" });
    }
    const batchId = c.req.header(BATCH_ID_HEADER);
    if (batchId !== undefined && !BATCH_ID.test(batchId)) {
      throw new HttpError(400, { error: `${BATCH_ID_HEADER} must match ${BATCH_ID.source}` });
    }
    const length = c.req.header("content-length");
    const admission = context.gate.admit(gatewayId, signal, length === undefined ? undefined : Number(length));
    try {
      return await slots.run(async (buffers) => {
        try {
          const body = await readIngestBody(c.req.raw, buffers.body);
          admission.bytes(body.byteLength);
          // Stamped rows are the body and a stamp a row: room for them at once, not by doubling.
          buffers.rows.reserve(body.byteLength + (body.byteLength >> 2));
          const receivedAt = new Date();
          const stamp = { gatewayId, receivedAt: isoTimestamp(receivedAt.getTime()), batchId };
          const { rows, rejected } = stampRows(decoder.decode(body), stamp, buffers.rows);
          const accepted = rows.lines.length;
          admission.rows(accepted);
          let duplicates = 0;
          if (accepted > 0) {
            try {
              duplicates = (await context.store.write({ gatewayId, signal, batchId, rows, receivedAt })).duplicates;
            } catch (error) {
              throw new HttpError(500, { error: `ingest write failed: ${(error as Error).message}` });
            }
          }
          if (rejected) {
            return c.json({ accepted, rejected_at_line: rejected.line, error: rejected.error }, 400);
          }
          return c.json(duplicates > 0 ? { accepted, duplicates } : { accepted }, 202);
        } finally {
          buffers.body.clear(KEEP_BUFFER_BYTES);
          buffers.rows.clear(KEEP_BUFFER_BYTES);
        }
      });
    } finally {
      admission.release();
    }
  });
  otherMethodsNotAllowed(app, "/v1/ingest/:signal", ["POST"]);
  return app;
}

/** The body, undoing gzip or deflate, at most 16 MiB: a 413, 415 or 400 {@linkcode HttpError} otherwise. */
async function readIngestBody(request: Request, into: ByteBuffer): Promise<Uint8Array> {
  try {
    return await readBody(request, MAX_INGEST_BYTES, into);
  } catch (error) {
    if (!(error instanceof BodyError)) throw error;
    if (error.kind === "too_large") throw new HttpError(413, { error: "body exceeds 16 MiB" });
    if (error.kind === "unsupported_coding") throw new HttpError(415, { error: error.message });
    throw new HttpError(400, { error: error.message });
  }
}
