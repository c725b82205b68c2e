/**
 * The proxy's own endpoints, answered before any upstream routing and only to loopback callers (reference §4.7):
 * `/_collectivus/session-context` (Claude Code hooks post a session's cwd and branch) and
 * `/_collectivus/ignore/session` (stop or resume recording a session).
 *
 * @module
 */
import type { Context, Hono } from "hono";
import { clientAddress, isLoopback, loopbackHost } from "../client_address.ts";
import { HttpError } from "../http_error.ts";
import type { SessionStore } from "./session_store.ts";

/** The prefix of the local endpoints' paths. */
export const LOCAL_PREFIX = "/_collectivus/";
const SESSION_CONTEXT = `${LOCAL_PREFIX}session-context`;
const IGNORE_SESSION = `${LOCAL_PREFIX}ignore/session`;

/** Adds the local endpoints to `app`. */
export function localRoutes(app: Hono, sessions: SessionStore): void {
  app.all(SESSION_CONTEXT, async function sessionContext(c) {
    localOnly(c, "session context endpoint is local-only");
    if (c.req.method !== "POST") throw new HttpError(405, { error: "method not allowed" }, { Allow: "POST" });
    const body = await readObject(c.req.raw, 64 * 1024);
    const sessionId = requireSessionId(body);
    const cwd = str(body.cwd) ?? str(body.new_cwd);
    const gitBranch = str(body.git_branch) ?? str(body.gitBranch);
    sessions.setContext(sessionId, { cwd, git_branch: gitBranch });
    return c.json({ ok: true });
  });

  app.all(IGNORE_SESSION, async function ignoreSession(c) {
    localOnly(c, "ignore endpoint is local-only");
    switch (c.req.method) {
      case "GET": {
        const ignored = sessions.ignored();
        return c.json({ ignored, total: ignored.length });
      }
      case "POST": {
        const total = sessions.ignore(requireSessionId(await readObject(c.req.raw, 16 * 1024)));
        return c.json({ ok: true, total });
      }
      case "DELETE": {
        const removed = sessions.unignore(requireSessionId(await readObject(c.req.raw, 16 * 1024)));
        return c.json({ ok: true, removed, total: sessions.ignored().length });
      }
      default:
        throw new HttpError(405, { error: "method not allowed" }, { Allow: "GET, POST, DELETE" });
    }
  });
}

/** 403 unless the caller's socket is on loopback and the request names a loopback host (not a DNS-rebound page). */
function localOnly(c: Context, message: string): void {
  if (!isLoopback(clientAddress(c.env))) throw new HttpError(403, { error: message });
  // The URL's host is the Host header's (the runtime builds it from it), and is there also when a test omits one.
  if (!loopbackHost(new URL(c.req.url).host)) {
    throw new HttpError(403, { error: `${message}: it answers requests to localhost, 127.0.0.1 or [::1] only` });
  }
}

/** The body as a JSON object of at most `limit` bytes; 413 or 400 otherwise. */
async function readObject(request: Request, limit: number): Promise<Record<string, unknown>> {
  let text = "";
  if (request.body) {
    // Read no further than the limit, whatever the caller claims in Content-Length.
    const decoder = new TextDecoder();
    let size = 0;
    for await (const chunk of request.body) {
      size += chunk.byteLength;
      if (size > limit) throw new HttpError(413, { error: `body exceeds ${limit} bytes` });
      text += decoder.decode(chunk, { stream: true });
    }
    text += decoder.decode();
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new HttpError(400, { error: "invalid JSON body" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new HttpError(400, { error: "body must be an object" });
  }
  return value as Record<string, unknown>;
}

function requireSessionId(body: Record<string, unknown>): string {
  const id = str(body.session_id);
  if (!id) throw new HttpError(400, { error: "session_id is required" });
  return id;
}

function str(value: unknown): string | undefined {
  return typeof value === "string" && value !== "" ? value : undefined;
}
