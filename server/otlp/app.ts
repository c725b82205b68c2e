/**
 * The OTLP/HTTP receiver as a Hono app: `GET /` answers the banner, `/v1/traces`, `/v1/metrics` and `/v1/logs` take
 * export requests (JSON or protobuf, plain, gzip or deflate), anything else is a 404. Failures are answered in one
 * place, in the request's encoding.
 *
 * @module
 */
import { Hono } from "hono";
import { banner } from "../banner.ts";
import { exportHandler, type ExportOptions, exportSlots } from "./export_handler.ts";
import { encodingOf } from "./media.ts";
import { OtlpError } from "./otlp_error.ts";
import { errorResponse } from "./respond.ts";
import { SIGNALS } from "./signals.ts";

/** What the app needs. */
export interface OtlpAppOptions extends ExportOptions {
  /** Where an unexpected error (a bug: a 500) is reported, once per request that hit it. */
  log?(line: string): void;
}

/** Builds the receiver's app. */
export function otlpApp(options: OtlpAppOptions): Hono {
  const app = new Hono();
  app.get("/", (c) => c.text(banner()));
  // One set of slots for the three signals: the limit is on the process's memory, whatever is posted.
  const slots = exportSlots(options.concurrency);
  for (const signal of SIGNALS) {
    const handle = exportHandler(signal, options, slots);
    app.all(signal.path, (c) => handle(c.req.raw));
  }
  app.notFound(() => {
    throw new OtlpError("not_found", "Not found");
  });
  app.onError((error, c) => {
    const known = error instanceof OtlpError ? error : new OtlpError("internal", error.message, { cause: error });
    if (known.kind === "internal") options.log?.(`error: OTLP ${c.req.method} ${c.req.path}: ${known.message}`);
    return errorResponse(known, encodingOf(c.req.header("content-type") ?? null));
  });
  return app;
}
