/**
 * The 405 of Central's and the rendezvous service's APIs: a path that exists answered with another method gets
 * `{"error":"method not allowed"}` and an `Allow` header.
 *
 * @module
 */
import type { Hono } from "hono";
import { HttpError } from "./http_error.ts";

/** Answers every method but `allowed` on `path` with a 405; register it after the path's own routes. */
export function otherMethodsNotAllowed(app: Hono, path: string, allowed: readonly string[]): void {
  app.all(path, () => {
    throw new HttpError(405, { error: "method not allowed" }, { allow: allowed.join(", ") });
  });
}
