/**
 * The few Gas City supervisor routes capture reads (all GETs: capture never mutates a city), as documented in the
 * supervisor's OpenAPI spec: the session list and detail, a session's transcript, and the two SSE streams.
 *
 * @module
 */
import { errorMessage } from "../../platform/runtime.ts";

/** A session as the supervisor describes it (`SessionResponse`); only the fields capture uses. */
export interface SessionInfo {
  id: string;
  template?: string;
  rig?: string;
  alias?: string;
  state?: string;
  provider?: string;
  session_name?: string;
  model?: string;
}

/** A city as the supervisor lists it (`CityInfo`): its name, its directory on the supervisor's host, whether it runs. */
export interface CityInfo {
  name: string;
  path?: string;
  running?: boolean;
}

/** The `pagination` of a transcript page (`PaginationInfo`). */
export interface TranscriptPagination {
  has_older_messages?: boolean;
  total_message_count?: number;
  returned_message_count?: number;
  total_compactions?: number;
  /** The entry before which older entries were left out: pass it as `before` for the previous page. */
  truncated_before_message?: string;
}

/** One answer of the transcript route in raw format. */
export interface TranscriptPage {
  provider?: string;
  template?: string;
  /** Provider transcript lines, verbatim. */
  messages: unknown[];
  pagination?: TranscriptPagination;
}

/** Which part of a transcript to read: entries after or before an entry uuid, the last `tail` compactions. */
export interface TranscriptRange {
  after?: string;
  before?: string;
  tail?: number;
}

/** A supervisor request that failed: unreachable, an HTTP error status, or an answer of the wrong shape. */
export class SupervisorError extends Error {
  /** The HTTP status, when the supervisor answered. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = "SupervisorError";
    this.status = status;
  }
}

/** Options of a {@linkcode SupervisorClient}. */
export interface SupervisorClientOptions {
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
  /** Deadline of a JSON request (default 30 s); streams have none, they are watched for silence instead. */
  timeoutMs?: number;
  /** The longest JSON answer read (default {@linkcode MAX_JSON_BYTES}). */
  maxJsonBytes?: number;
}

/**
 * The longest JSON answer read from a supervisor (a transcript page is the largest): 256 MiB. A longer one is refused
 * as it arrives, so a broken or hostile supervisor cannot fill the collector's memory within a request's deadline.
 */
export const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** How much of an error answer is read for its detail. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

/** How many pages of the session list are followed at most (a cursor loop must not spin forever). */
const MAX_LIST_PAGES = 1000;

/**
 * A client of one supervisor (`api_url`).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const client = new SupervisorClient("http://127.0.0.1:8372/", {
 *   fetch: (input) => Promise.resolve(Response.json({ items: [{ id: "s-1", template: "mayor" }], total: 1 },
 *     { headers: { "x-seen": String(input) } })),
 * });
 * assert.deepEqual(await client.listSessions("alpha"), [{ id: "s-1", template: "mayor" }]);
 * assert.equal(client.url("/v0/city/a b/sessions"), "http://127.0.0.1:8372/v0/city/a b/sessions");
 * ```
 */
export class SupervisorClient {
  /** The supervisor's base URL, without a trailing `/`. */
  readonly apiUrl: string;
  readonly #fetch: typeof fetch;
  readonly #timeoutMs: number;
  readonly #maxJsonBytes: number;

  constructor(apiUrl: string, options: SupervisorClientOptions = {}) {
    this.apiUrl = apiUrl.replace(/\/+$/, "");
    this.#fetch = options.fetch ?? globalThis.fetch;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#maxJsonBytes = options.maxJsonBytes ?? MAX_JSON_BYTES;
  }

  /** The absolute URL of `pathname` (with its query) on this supervisor. */
  url(pathname: string): string {
    return `${this.apiUrl}${pathname}`;
  }

  /** The names of the cities the supervisor serves (`GET /v0/cities`). */
  async cities(signal?: AbortSignal): Promise<string[]> {
    return (await this.cityInfos(signal)).map((c) => c.name);
  }

  /** The cities the supervisor serves with their directories (`CityInfo` of `GET /v0/cities`). */
  async cityInfos(signal?: AbortSignal): Promise<CityInfo[]> {
    const body = await this.#json("/v0/cities", "list the cities", signal);
    if (!body || !Array.isArray(body.items)) {
      throw new SupervisorError("Cannot list the cities: the answer has no items array");
    }
    const out: CityInfo[] = [];
    for (const item of body.items) {
      if (typeof item?.name !== "string") continue;
      out.push({
        name: item.name,
        ...(typeof item.path === "string" && item.path !== "" ? { path: item.path } : {}),
        ...(typeof item.running === "boolean" ? { running: item.running } : {}),
      });
    }
    return out;
  }

  /**
   * Every session of `city` (all pages of `GET /v0/city/{city}/sessions`). The array's `partial` is true when the
   * supervisor said some could not be read (`partial` in its answer): a session missing from such a list may be live.
   */
  async listSessions(city: string, signal?: AbortSignal): Promise<SessionInfo[] & { partial?: boolean }> {
    const out: SessionInfo[] & { partial?: boolean } = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : "";
      const body = await this.#json(`${cityPath(city)}/sessions${query}`, "list the sessions", signal);
      if (!body || !Array.isArray(body.items)) {
        throw new SupervisorError(`Cannot list the sessions of ${city}: the answer has no items array`);
      }
      for (const item of body.items) if (isSession(item)) out.push(item);
      if (body.partial === true) out.partial = true;
      cursor = typeof body.next_cursor === "string" && body.next_cursor !== "" ? body.next_cursor : undefined;
      if (!cursor) break;
    }
    return out;
  }

  /** One session (`GET /v0/city/{city}/session/{id}`, which also resolves an alias); undefined when unknown (404). */
  async getSession(city: string, id: string, signal?: AbortSignal): Promise<SessionInfo | undefined> {
    try {
      const body = await this.#json(`${sessionPath(city, id)}`, `read session ${id}`, signal);
      return isSession(body) ? body : undefined;
    } catch (error) {
      if (error instanceof SupervisorError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** The head of the city's event log (`X-GC-Index` of `GET /v0/city/{city}/events`), when the supervisor says. */
  async eventHead(city: string, signal?: AbortSignal): Promise<number | undefined> {
    const response = await this.#get(`${cityPath(city)}/events?limit=1`, "read the event log head", "json", signal);
    await response.body?.cancel();
    const index = Number(response.headers.get("x-gc-index"));
    return response.headers.has("x-gc-index") && Number.isSafeInteger(index) ? index : undefined;
  }

  /** A page of a session's transcript in raw format (`GET .../session/{id}/transcript?format=raw`). */
  async transcript(
    city: string,
    id: string,
    range: TranscriptRange = {},
    options: { signal?: AbortSignal; timeoutMs?: number } = {},
  ): Promise<TranscriptPage> {
    const params = new URLSearchParams({ format: "raw" });
    if (range.after) params.set("after", range.after);
    if (range.before) params.set("before", range.before);
    if (range.tail !== undefined) params.set("tail", String(range.tail));
    const body = await this.#json(
      `${sessionPath(city, id)}/transcript?${params}`,
      `read the transcript of session ${id}`,
      options.signal,
      options.timeoutMs,
    );
    if (!body || (body.messages !== null && body.messages !== undefined && !Array.isArray(body.messages))) {
      throw new SupervisorError(`Cannot read the transcript of session ${id}: the answer has no messages array`);
    }
    return {
      provider: typeof body.provider === "string" ? body.provider : undefined,
      template: typeof body.template === "string" ? body.template : undefined,
      messages: body.messages ?? [],
      pagination: body.pagination && typeof body.pagination === "object" ? body.pagination : undefined,
    };
  }

  /** Opens the city event stream, resuming after `afterSeq` when given. */
  cityEvents(city: string, afterSeq: number | undefined, signal: AbortSignal): Promise<Response> {
    const query = afterSeq === undefined ? "" : `?after_seq=${afterSeq}`;
    const headers = afterSeq === undefined ? undefined : { "last-event-id": String(afterSeq) };
    return this.#get(`${cityPath(city)}/events/stream${query}`, "open the city event stream", "sse", signal, headers);
  }

  /** Opens a session's raw transcript stream (`.../session/{id}/stream?format=raw`). */
  sessionStream(city: string, id: string, signal: AbortSignal): Promise<Response> {
    return this.#get(`${sessionPath(city, id)}/stream?format=raw`, `open the stream of session ${id}`, "sse", signal);
  }

  // deno-lint-ignore no-explicit-any
  async #json(pathname: string, action: string, signal?: AbortSignal, timeoutMs = this.#timeoutMs): Promise<any> {
    const deadline = AbortSignal.timeout(timeoutMs);
    const both = signal ? AbortSignal.any([signal, deadline]) : deadline;
    const response = await this.#get(pathname, action, "json", both);
    let text: string | undefined;
    try {
      text = await readText(response, this.#maxJsonBytes);
      if (text === undefined) {
        throw new SupervisorError(`Cannot ${action}: the answer is longer than ${size(this.#maxJsonBytes)}`);
      }
      return JSON.parse(text);
    } catch (error) {
      if (error instanceof SupervisorError) throw error;
      if (deadline.aborted) throw new SupervisorError(`Cannot ${action}: no answer within ${timeoutMs / 1000} s`);
      throw new SupervisorError(`Cannot ${action}: the answer is not JSON (${errorMessage(error)})`, response.status);
    }
  }

  async #get(
    pathname: string,
    action: string,
    accept: "json" | "sse",
    signal?: AbortSignal,
    extra?: Record<string, string>,
  ): Promise<Response> {
    const url = this.url(pathname);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        headers: { accept: accept === "sse" ? "text/event-stream" : "application/json", ...extra },
        signal,
      });
    } catch (error) {
      if (signal?.aborted && signal.reason instanceof DOMException && signal.reason.name === "TimeoutError") {
        throw new SupervisorError(`Cannot ${action}: ${this.apiUrl} did not answer in time`, undefined, {
          cause: error,
        });
      }
      throw new SupervisorError(`Cannot ${action}: ${this.apiUrl} is unreachable (${causeOf(error)})`, undefined, {
        cause: error,
      });
    }
    if (!response.ok) {
      const detail = await problemDetail(response);
      throw new SupervisorError(
        `Cannot ${action}: HTTP ${response.status}${detail ? ` (${detail})` : ""}`,
        response.status,
      );
    }
    if (accept === "sse" && !(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
      await response.body?.cancel();
      throw new SupervisorError(
        `Cannot ${action}: the answer is ${response.headers.get("content-type") ?? "untyped"}, not text/event-stream`,
        response.status,
      );
    }
    return response;
  }
}

function cityPath(city: string): string {
  return `/v0/city/${encodeURIComponent(city)}`;
}

function sessionPath(city: string, id: string): string {
  return `${cityPath(city)}/session/${encodeURIComponent(id)}`;
}

function isSession(value: unknown): value is SessionInfo {
  return typeof value === "object" && value !== null && typeof (value as SessionInfo).id === "string" &&
    (value as SessionInfo).id !== "";
}

/** The `detail` of a Problem Details body (RFC 9457), or the start of a text body. */
async function problemDetail(response: Response): Promise<string> {
  try {
    const text = (await readText(response, MAX_ERROR_BODY_BYTES, true) ?? "").trim();
    try {
      const body = JSON.parse(text);
      if (typeof body?.detail === "string") return body.detail;
      if (typeof body?.title === "string") return body.title;
    } catch {
      // not JSON
    }
    return text.slice(0, 200);
  } catch {
    return "";
  }
}

/** `ECONNREFUSED` and the like, from a fetch failure (Deno and Node word them differently). */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const code = (cause as { code?: string } | undefined)?.code;
  if (code) return code;
  const message = errorMessage(cause ?? error);
  return /refused/i.test(message) ? "connection refused" : message;
}

/**
 * The body of `response` as text, read up to `maxBytes`: undefined when it is longer (the rest is not read), or with
 * `cut` its first `maxBytes` bytes.
 */
async function readText(response: Response, maxBytes: number, cut = false): Promise<string | undefined> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (total + value.byteLength > maxBytes) {
        if (!cut) return undefined;
        chunks.push(value.subarray(0, maxBytes - total));
        break;
      }
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

/** `bytes` in MiB (or bytes when less than one). */
function size(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${Math.round(bytes / (1024 * 1024))} MiB` : `${bytes} bytes`;
}
