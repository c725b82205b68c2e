/**
 * The listeners' one HTTP error type: a status and a JSON body. Handlers throw it; the app's `onError` answers it.
 *
 * @module
 */

/** An answer a listener gives itself (the proxy's 404 no upstream, 502 upstream failed; Central's 401, 429, ...). */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The JSON body, e.g. `{"error":"no upstream matches path","path":"/x"}`. */
  readonly body: Record<string, unknown>;
  /** Extra response headers (`Allow` on a 405). */
  readonly headers: Record<string, string>;

  constructor(status: number, body: Record<string, unknown> & { error: string }, headers: Record<string, string> = {}) {
    super(body.error);
    this.name = "HttpError";
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  /** The response this error stands for. */
  toResponse(): Response {
    return Response.json(this.body, { status: this.status, headers: this.headers });
  }
}
