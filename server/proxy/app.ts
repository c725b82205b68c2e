/**
 * The recording LLM proxy as a Hono app: the local endpoints first, then a fast refusal of WebSocket upgrades,
 * then routing by `proxy.upstreams` and forwarding; `GET /` with no upstream gets the banner, anything else 404.
 *
 * A request bound for an upstream, the proxy's whole traffic, goes straight to forwarding without Hono's context
 * and router (about a sixth of a small exchange's CPU on Deno); everything else is dispatched by the app as usual.
 *
 * @module
 */
import { Hono } from "hono";
import { getPath } from "hono/utils/url";
import type { ProxyConfig } from "../../platform/config/types.ts";
import { banner } from "../banner.ts";
import { DEFAULT_MAX_RECORD_BODY_BYTES } from "./body_capture.ts";
import { clientAddress } from "../client_address.ts";
import { forward } from "./forward.ts";
import { redactionSet } from "./headers.ts";
import { queryRedactionSet } from "./query_redaction.ts";
import { HttpError } from "../http_error.ts";
import { IgnoreFilter } from "./ignore_filter.ts";
import { LOCAL_PREFIX, localRoutes } from "./local_routes.ts";
import type { Recorder } from "./recorder.ts";
import { checkUpstreams, matchUpstream } from "./route.ts";
import { SessionStore } from "./session_store.ts";
import { fetchClient } from "./upstream/fetch_client.ts";
import { upstreamClients } from "./upstream/select.ts";

export { matchUpstream } from "./route.ts";

/** What a proxy app is built from. */
export interface ProxyAppOptions {
  config: ProxyConfig;
  recorder: Recorder;
  /** Top-level `ignored_paths`: sessions whose cwd is in or under one are not recorded. */
  ignoredPaths?: readonly string[];
  /**
   * A fetch to reach every upstream with instead of the HTTP/1.1 client (tests inject one); it is taken to decode
   * no content-encoding unless `fetchDecodes` says otherwise.
   */
  fetch?: typeof fetch;
  fetchDecodes?(encoding: string | null): boolean;
  /** The session store; default a new one. */
  sessions?: SessionStore;
  /** Warnings, one line each (a `.ctvsignore` that cannot be checked). */
  log?: (line: string) => void;
}

/** Builds the proxy's app. Throws a TypeError for an upstream `base_url` that is not http(s). */
export function proxyApp(options: ProxyAppOptions): Hono {
  const { config, recorder } = options;
  checkUpstreams(config.upstreams);
  const sessions = options.sessions ?? new SessionStore();
  const deps = {
    recorder,
    sessions,
    ignore: new IgnoreFilter(sessions, options.ignoredPaths, options.log),
    redact: redactionSet(config.redact_headers),
    redactQuery: queryRedactionSet(config.redact_query_params),
    maxBodyBytes: config.max_record_body_bytes ?? DEFAULT_MAX_RECORD_BODY_BYTES,
    client: options.fetch
      ? constant(fetchClient(options.fetch, options.fetchDecodes ?? (() => false)))
      : upstreamClients(),
  };

  const app = new Hono();
  app.onError(errorResponse);
  localRoutes(app, sessions);
  app.all("*", function proxy(c) {
    // Codex tries a WebSocket on GET /v1/responses first; a quick 426 sends it to HTTP + SSE at once, where
    // every exchange is recorded (waiting on an upstream upgrade would stall it instead).
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") {
      throw new HttpError(426, { error: "websocket transport is not supported by this proxy; use HTTP" });
    }
    const upstream = matchUpstream(config.upstreams, c.req.path);
    if (upstream) return forward(c.req.raw, upstream, clientAddress(c.env), deps);
    if (c.req.method === "GET" && c.req.path === "/") return c.text(banner());
    throw new HttpError(404, { error: "no upstream matches path", path: c.req.path });
  });

  const dispatch = app.fetch;
  app.fetch = function proxyFetch(request, env, executionCtx) {
    const path = getPath(request);
    // The same decisions as the routes above, in the same order: local endpoints, upgrades, upstreams.
    const upstream = path.startsWith(LOCAL_PREFIX) || request.headers.has("upgrade")
      ? undefined
      : matchUpstream(config.upstreams, path);
    if (!upstream) return dispatch(request, env, executionCtx);
    return forward(request, upstream, clientAddress(env), deps).catch(errorResponse);
  };
  return app;
}

function constant<T>(value: T): () => T {
  return () => value;
}

/** What a thrown error answers: an {@linkcode HttpError} itself, anything else a 500. */
function errorResponse(err: Error): Response {
  if (err instanceof HttpError) return err.toResponse();
  return Response.json({ error: "proxy error", detail: err.message }, { status: 500 });
}
