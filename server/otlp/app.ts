/**
 * The OTLP/HTTP receiver as a Hono app.
 *
 * This build answers the banner and the OTLP error statuses; decoding and writing the three signals is the OTLP
 * receiver's own piece of work and plugs in here.
 *
 * @module
 */
import { Hono } from "hono";
import { banner } from "../banner.ts";

const SIGNAL_PATHS = ["/v1/traces", "/v1/metrics", "/v1/logs"];

/** Builds the receiver's app. */
export function otlpApp(): Hono {
  const app = new Hono();
  app.get("/", (c) => c.text(banner()));
  app.all("*", (c) => {
    if (!SIGNAL_PATHS.includes(c.req.path)) return c.json({ code: 5, message: "Not found" }, 404);
    if (c.req.method !== "POST") return c.json({ code: 12, message: "Method not allowed" }, 405);
    return c.json({ code: 12, message: "OTLP ingestion is not available in this build yet" }, 501);
  });
  return app;
}
