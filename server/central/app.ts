/**
 * The Central server's control plane as one Hono app, composed of a sub-app per concern: health, identity, configs,
 * ingest, enrollments (join codes redeemed) and the admin API's invites. Errors are answered in one place as `{"error": ...}`; unknown paths
 * get 404 `not found`, known paths with another method 405 `method not allowed`.
 *
 * @module
 */
import { Hono } from "hono";
import { HttpError } from "../http_error.ts";
import { configRoutes } from "./config_routes.ts";
import type { CentralContext } from "./context.ts";
import { enrollmentRoutes } from "./enrollment_routes.ts";
import { healthRoutes } from "./health_routes.ts";
import { identityRoutes } from "./identity_routes.ts";
import { ingestRoutes } from "./ingest_routes.ts";
import { inviteRoutes } from "./invite_routes.ts";

/** A concern's routes, built from the shared context. */
export type CentralRoutes = (context: CentralContext) => Hono;

/** Every concern of the control plane, in routing order. A new concern adds itself here. */
export const CENTRAL_ROUTES: readonly CentralRoutes[] = [
  healthRoutes,
  identityRoutes,
  configRoutes,
  ingestRoutes,
  enrollmentRoutes,
  inviteRoutes,
];

/** Builds the control-plane app over `context`, with `routes` (default: all of them). */
export function centralApp(context: CentralContext, routes: readonly CentralRoutes[] = CENTRAL_ROUTES): Hono {
  const app = new Hono();
  for (const concern of routes) app.route("/", concern(context));
  app.notFound(() => {
    throw new HttpError(404, { error: "not found" });
  });
  app.onError((error, c) => {
    if (error instanceof HttpError) return error.toResponse();
    context.log(`error: control plane ${c.req.method} ${c.req.path}: ${error.message}`);
    return Response.json({ error: "internal error" }, { status: 500 });
  });
  return app;
}
