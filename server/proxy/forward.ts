/**
 * Forwarding one request to its upstream (reference §4.1): method, path and query, headers minus hop-by-hop and
 * `host`, the body byte for byte; the response relayed live through {@linkcode relayStream} and recorded. A small
 * non-SSE answer of declared length (at most {@linkcode SMALL_BODY_BYTES}) is read whole and relayed as bytes
 * instead: it is bounded and already in flight, and it spares the relay's per-exchange cost.
 *
 * @module
 */
import type { UpstreamConfig } from "../../platform/config/types.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { HttpError } from "../http_error.ts";
import { isEventStream } from "../sse_parser.ts";
import { Exchange } from "./exchange.ts";
import { readHeaders } from "./headers.ts";
import { redactQuery } from "./query_redaction.ts";
import type { IgnoreFilter } from "./ignore_filter.ts";
import type { Recorder } from "./recorder.ts";
import { relayStream } from "./relay_stream.ts";
import { readRequestBody } from "./request_body.ts";
import { upstreamOrigin } from "./route.ts";
import { sessionIdOf } from "./session_id.ts";
import { watchSessionId } from "./session_id_scanner.ts";
import type { SessionStore } from "./session_store.ts";
import type { UpstreamBody, UpstreamClient, UpstreamResponse } from "./upstream/types.ts";

/** What forwarding needs, resolved once per app. */
export interface ForwardDeps {
  recorder: Recorder;
  sessions: SessionStore;
  ignore: IgnoreFilter;
  /** Header names recorded as `REDACTED:<last4>`. */
  redact: ReadonlySet<string>;
  /** Query parameter names recorded as `REDACTED:<last4>` (lowercase). */
  redactQuery: ReadonlySet<string>;
  /** Bodies above this are recorded truncated. */
  maxBodyBytes: number;
  /** The client that reaches `upstream`. */
  client(upstream: UpstreamConfig): UpstreamClient;
}

/** Forwards `request` to `upstream`; `clientIp` is the caller's address for the recording. */
export async function forward(
  request: Request,
  upstream: UpstreamConfig,
  clientIp: string | undefined,
  deps: ForwardDeps,
): Promise<Response> {
  const url = new URL(request.url);
  const pathAndQuery = url.pathname + url.search;
  const body = await readRequestBody(request, deps.maxBodyBytes);
  // Deno computes Content-Length for a byte body and sends a stream chunked; a client's value could lie.
  const requestHeaders = readHeaders(request.headers, deps.redact, ["host", "content-length"]);
  const requestEncoding = request.headers.get("content-encoding");
  let bodyText: string | undefined;
  // A body forwarded as a stream is still arriving: its text (and size) is taken when the exchange finishes.
  const requestBody = () =>
    body.forward instanceof ReadableStream ? body.capture.text() : bodyText ??= body.capture.text(requestEncoding);

  // Looking for the session is only worth a JSON parse when some session context or ignore entry exists.
  let sessionId: string | undefined;
  let record: boolean | Promise<boolean> = true;
  let forwardBody = body.forward;
  let settle: (() => void) | undefined;
  const recorded = async (id: string | undefined) =>
    id === undefined || !(await deps.ignore.ignores(id).catch(() => false));
  if (!deps.sessions.empty) {
    if (!(body.forward instanceof ReadableStream)) sessionId = sessionIdOf(requestBody(), request.headers);
    else sessionId = request.headers.get("x-claude-code-session-id") || undefined;
    if (sessionId !== undefined || !(body.forward instanceof ReadableStream)) record = await recorded(sessionId);
    else {
      // A body too large to hold and no session header: its id is found as it streams, and rows wait for it, so that
      // an ignored session is never written. A body that breaks off before its id passed may be an ignored session's:
      // not recorded (the conversation's next request carries the same messages).
      const watched = watchSessionId(body.forward);
      forwardBody = watched.body;
      settle = watched.settle;
      record = watched.sessionId.then((id) => recorded(sessionId = id), () => false);
    }
  }
  const exchange = new Exchange(deps.recorder, {
    upstream: upstream.name,
    client: { ip: clientIp, user_agent: request.headers.get("user-agent") ?? undefined },
    request: {
      method: request.method,
      path: redactQuery(pathAndQuery, deps.redactQuery),
      headers: requestHeaders.recorded,
    },
    requestBody,
    record,
    settle,
    context: () => deps.sessions.context(sessionId),
  });

  // The client's signal is the upstream request's: a client that leaves aborts the upstream, before or after the
  // answer started (Deno, with no-legacy-abort, and @hono/node-server abort it only for a client that left).
  const clientGone = request.signal;
  let response: UpstreamResponse;
  try {
    response = await deps.client(upstream).request({
      origin: upstreamOrigin(upstream),
      path: pathAndQuery,
      method: request.method,
      headers: requestHeaders.forward,
      body: forwardBody,
      signal: clientGone,
    });
  } catch (err) {
    if (clientGone.aborted) return clientAborted(exchange);
    const detail = errorMessage(err);
    exchange.connectFailed(detail);
    throw new HttpError(502, { error: "upstream connection failed", detail });
  }

  const { decoded } = response;
  const responseHeaders = readHeaders(
    response.headers,
    deps.redact,
    decoded ? ["content-encoding", "content-length"] : [],
  );
  const stream = isEventStream(response.headers.get("content-type"));
  exchange.respond({
    status: response.status,
    headers: responseHeaders.recorded,
    stream,
    encoding: decoded ? undefined : response.headers.get("content-encoding"),
    maxBodyBytes: deps.maxBodyBytes,
  });
  const init = { status: response.status, statusText: response.statusText, headers: responseHeaders.forward };
  if (!response.body) {
    exchange.finish();
    return new Response(null, init);
  }
  if (!stream && !decoded && isSmall(response.headers.get("content-length"))) {
    return await bufferedResponse(response.body, init, exchange, clientGone);
  }
  return new Response(relayStream(response.body, exchange, clientGone), init);
}

/**
 * A non-SSE answer whose declared length is at most this many bytes (and that fetch does not decode) is read whole
 * before it is relayed: it is bounded and already in flight, and bytes cost the server far less than a stream
 * relayed through JavaScript (about a third of a small exchange's CPU on Deno). Anything longer, of unknown length,
 * decoded by fetch, or SSE goes through the pull-based relay.
 */
export const SMALL_BODY_BYTES = 64 * 1024;

function isSmall(contentLength: string | null): boolean {
  return contentLength !== null && /^\d{1,6}$/.test(contentLength) && Number(contentLength) <= SMALL_BODY_BYTES;
}

/**
 * Reads a small answer whole, records it and relays it as bytes. A client that leaves meanwhile aborts the upstream
 * and is recorded as `client_aborted`; an upstream that fails mid-body breaks the client's body, as a relay would.
 */
async function bufferedResponse(
  body: UpstreamBody,
  init: ResponseInit,
  exchange: Exchange,
  aborted: AbortSignal,
): Promise<Response> {
  let bytes: Uint8Array<ArrayBuffer>;
  try {
    bytes = await body.bytes() as Uint8Array<ArrayBuffer>;
  } catch (err) {
    if (aborted.aborted) return clientAborted(exchange);
    exchange.finish(errorMessage(err));
    return new Response(new ReadableStream({ start: (controller) => controller.error(err) }), init);
  }
  exchange.observe(bytes);
  exchange.finish();
  return new Response(bytes, init);
}

/** The client left before its answer started: nobody reads this response. */
function clientAborted(exchange: Exchange): Response {
  exchange.finish("client_aborted");
  return new Response(null, { status: 499 });
}
