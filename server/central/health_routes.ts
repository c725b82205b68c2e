/**
 * `GET /health`: `{status:"ok", version}`, for load balancers and `ctvs admin status`.
 *
 * @module
 */
import { Hono } from "hono";
import { VERSION } from "../../platform/version.ts";
import { otherMethodsNotAllowed } from "../method_not_allowed.ts";

/** The health route. */
export function healthRoutes(): Hono {
  const app = new Hono();
  app.get("/health", (c) => c.json({ status: "ok", version: VERSION }));
  otherMethodsNotAllowed(app, "/health", ["GET"]);
  return app;
}
