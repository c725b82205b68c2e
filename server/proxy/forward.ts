/**
 * Forwarding one request to its upstream (reference §4.1): method, path and query, headers minus hop-by-hop and
 * `host`, the body byte for byte; the response relayed live through {@linkcode relayStream} and recorded.
 *
 * @module
 */
import type { UpstreamConfig } from "../../platform/config/types.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { Exchange } from "./exchange.ts";
import { forwardable, recordHeaders } from "./headers.ts";
import { HttpError } from "./http_error.ts";
import type { IgnoreFilter } from "./ignore_filter.ts";
import type { Recorder } from "./recorder.ts";
import { relayStream } from "./relay_stream.ts";
import { readRequestBody } from "./request_body.ts";
import { upstreamUrl } from "./route.ts";
import { sessionIdOf } from "./session_id.ts";
import type { SessionStore } from "./session_store.ts";
import { isEventStream } from "./sse_parser.ts";

/** What forwarding needs, resolved once per app. */
export interface ForwardDeps {
  recorder: Recorder;
  sessions: SessionStore;
  ignore: IgnoreFilter;
  /** Header names recorded as `REDACTED:<last4>`. */
  redact: ReadonlySet<string>;
  /** Bodies above this are recorded truncated. */
  maxBodyBytes: number;
  /** The upstream fetch (the runtime's, or a test's). */
  fetch: typeof fetch;
  /** Whether `fetch` hands back bodies of this content-encoding already decoded. */
  fetchDecodes(encoding: string | null): boolean;
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
  const requestEncoding = request.headers.get("content-encoding");
  let bodyText: string | undefined;
  // A body forwarded as a stream is still arriving: its text (and size) is taken when the exchange finishes.
  const requestBody = () =>
    body.forward instanceof ReadableStream ? body.capture.text() : bodyText ??= body.capture.text(requestEncoding);

  // Looking for the session is only worth a JSON parse when some session context or ignore entry exists.
  const sessionId = deps.sessions.empty || body.forward instanceof ReadableStream
    ? undefined
    : sessionIdOf(requestBody(), request.headers);
  const record = !(await deps.ignore.ignores(sessionId).catch(() => false));
  const exchange = new Exchange(deps.recorder, {
    upstream: upstream.name,
    client: { ip: clientIp, user_agent: request.headers.get("user-agent") ?? undefined },
    request: { method: request.method, path: pathAndQuery, headers: recordHeaders(request.headers, deps.redact) },
    requestBody,
    record,
    context: () => deps.sessions.context(sessionId),
  });

  // The client's signal aborts the upstream only until its answer starts; from then on the relay's cancel does it.
  // (Deno aborts request.signal after every normal completion too, and warns about listeners still attached then.)
  const upstreamAbort = new AbortController();
  const onClientAbort = () => upstreamAbort.abort();
  request.signal.addEventListener("abort", onClientAbort, { once: true });
  let response: Response;
  try {
    response = await deps.fetch(upstreamUrl(upstream, pathAndQuery), {
      method: request.method,
      // Deno computes Content-Length for a byte body and sends a stream chunked; a client's value could lie.
      headers: forwardable(request.headers, ["host", "content-length"]),
      body: body.forward,
      redirect: "manual",
      signal: upstreamAbort.signal,
      // Node's fetch wants this for a stream body; Deno ignores it.
      ...(body.forward instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
  } catch (err) {
    if (upstreamAbort.signal.aborted) {
      exchange.finish("client_aborted");
      return new Response(null, { status: 499 });
    }
    // fetch says only "fetch failed"; the reason (refused, DNS, TLS) is in its cause.
    const detail = errorMessage((err as Error).cause ?? err);
    exchange.connectFailed(detail);
    throw new HttpError(502, { error: "upstream connection failed", detail });
  } finally {
    request.signal.removeEventListener("abort", onClientAbort);
  }

  const encoding = response.headers.get("content-encoding");
  const decoded = deps.fetchDecodes(encoding);
  exchange.respond({
    status: response.status,
    headers: recordHeaders(response.headers, deps.redact),
    stream: isEventStream(response.headers.get("content-type")),
    encoding: decoded ? undefined : encoding,
    maxBodyBytes: deps.maxBodyBytes,
  });
  const init = {
    status: response.status,
    statusText: response.statusText,
    headers: forwardable(response.headers, decoded ? ["content-encoding", "content-length"] : []),
  };
  if (!response.body) {
    exchange.finish();
    return new Response(null, init);
  }
  return new Response(relayStream(response.body, exchange), init);
}
