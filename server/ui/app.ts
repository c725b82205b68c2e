/**
 * `ctvs ui` as a Hono app: the page and its built assets (embedded, nothing fetched from elsewhere), and a JSON API
 * over a {@link UiBackend}. Every route is behind {@link uiGuard} (loopback, Host, token); every answer forbids
 * framing, sniffing, referrers and any source but this server.
 *
 * @module
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HttpError } from "../http_error.ts";
import type { UiBackend } from "./backend.ts";
import { uiGuard } from "./guard.ts";
import { choice, index, number, page, range, text } from "./params.ts";

/** The built front end: the page and its script and style. */
export interface UiAssets {
  html: string;
  js: string;
  css: string;
}

/** What the app needs. */
export interface UiAppOptions {
  backend: UiBackend;
  token: string;
  allowRemote: boolean;
  assets: UiAssets;
  /** Where an unexpected error (a 500) is reported. */
  log?(line: string): void;
}

const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy": "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

const USAGE_REPORTS = ["daily", "weekly", "monthly", "session", "model"] as const;
const USAGE_SOURCES = ["all", "proxy", "transcripts"] as const;
const SQL_ROW_CAP = 1000;

/** Builds the app. */
export function uiApp(options: UiAppOptions): Hono {
  const { backend, assets } = options;
  const app = new Hono();
  app.use("*", async function securityHeaders(c, next) {
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(name, value);
  });
  app.use("*", uiGuard({ token: options.token, allowRemote: options.allowRemote }));
  app.use(
    "/api/*",
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new HttpError(413, { error: "body exceeds 1 MiB" });
      },
    }),
  );

  // The page: the token it was opened with goes into its asset URLs (they need it too).
  app.get("/", (c) => {
    const token = encodeURIComponent(c.req.query("token") ?? "");
    return c.html(assets.html.replaceAll("__CTVS_TOKEN__", token));
  });
  app.get("/assets/app.js", (c) => c.body(assets.js, 200, { "content-type": "text/javascript; charset=utf-8" }));
  app.get("/assets/app.css", (c) => c.body(assets.css, 200, { "content-type": "text/css; charset=utf-8" }));

  app.get("/api/status", async (c) => c.json(await backend.status()));
  app.post("/api/refresh", async (c) => {
    const body = await jsonBody(c.req.raw);
    const datasets = Array.isArray(body.datasets) ? body.datasets.filter((d) => typeof d === "string") : [];
    return c.json(await backend.refresh(datasets as string[]));
  });

  app.get("/api/conversations", async (c) => {
    const filter = { q: text(c, "q"), client: text(c, "client"), model: text(c, "model"), cwd: text(c, "cwd") };
    return c.json(await backend.conversations(filter, range(c), page(c, 50)));
  });
  app.get("/api/conversations/:origin/:id", async (c) => {
    const row = await backend.conversation(c.req.param("origin"), c.req.param("id"));
    if (!row) throw new HttpError(404, { error: `no conversation ${c.req.param("id")}` });
    return c.json(row);
  });
  app.get("/api/conversations/:origin/:id/parts", async (c) => {
    return c.json(await backend.conversationParts(c.req.param("origin"), c.req.param("id"), page(c, 1000)));
  });
  app.get("/api/conversations/:origin/:id/context", async (c) => {
    return c.json({ rows: await backend.conversationContext(c.req.param("origin"), c.req.param("id")) });
  });
  app.get("/api/conversations/:origin/:id/search", async (c) => {
    const q = text(c, "q");
    if (!q) throw new HttpError(400, { error: "q is required" });
    return c.json(await backend.conversationSearch(c.req.param("origin"), c.req.param("id"), q));
  });
  app.get("/api/conversations/:origin/:id/turns", async (c) => {
    return c.json(await backend.conversationTurns(c.req.param("origin"), c.req.param("id"), page(c, 2000)));
  });
  // A part: origin, conversation, message id, part index.
  const partOf = (c: Context) =>
    [
      c.req.param("origin")!,
      c.req.param("id")!,
      c.req.param("messageId")!,
      index(c.req.param("partIndex")!, "part index"),
    ] as const;
  app.get("/api/conversations/:origin/:id/parts/:messageId/:partIndex", async (c) => {
    const row = await backend.conversationPart(...partOf(c));
    if (!row) throw new HttpError(404, { error: "no such part" });
    return c.json(row);
  });
  app.get("/api/conversations/:origin/:id/parts/:messageId/:partIndex/image", async (c) => {
    const image = await backend.conversationPartImage(...partOf(c));
    return c.body(image.bytes, 200, { "content-type": image.media_type });
  });
  app.get("/api/exchanges/:gateway/:date/:id/images/:index", async (c) => {
    const image = await backend.exchangeImage(
      c.req.param("gateway"),
      c.req.param("date"),
      c.req.param("id"),
      index(c.req.param("index"), "image index"),
    );
    return c.body(image.bytes, 200, { "content-type": image.media_type });
  });
  app.get("/api/exchanges/:gateway/:date/:id", async (c) => {
    return c.json(await backend.exchange(c.req.param("gateway"), c.req.param("date"), c.req.param("id")));
  });

  app.get("/api/usage", async (c) => {
    const report = choice(c, "report", USAGE_REPORTS) ?? "daily";
    const source = choice(c, "source", USAGE_SOURCES) ?? "all";
    return c.json({ rows: await backend.usage(report, text(c, "breakdown") === "true", range(c), source) });
  });

  app.get("/api/traces", async (c) => {
    const filter = {
      service: text(c, "service"),
      name: text(c, "name"),
      minMs: number(c, "minMs", 0, Number.MAX_SAFE_INTEGER),
      maxMs: number(c, "maxMs", 0, Number.MAX_SAFE_INTEGER),
      status: choice(c, "status", ["error", "ok", "unset"] as const),
    };
    return c.json(await backend.traces(filter, range(c), page(c, 50)));
  });
  app.get("/api/trace-services", async (c) => c.json({ services: await backend.traceServices() }));
  app.get("/api/traces/:traceId", async (c) => c.json(await backend.trace(c.req.param("traceId"))));
  app.get("/api/traces/:traceId/spans/:spanId", async (c) => {
    const row = await backend.span(c.req.param("traceId"), c.req.param("spanId"));
    if (!row) throw new HttpError(404, { error: "no such span" });
    return c.json(row);
  });

  app.get("/api/logs", async (c) => {
    const filter = {
      q: text(c, "q"),
      service: text(c, "service"),
      minSeverity: number(c, "minSeverity", 0, 24),
      traceId: text(c, "traceId"),
      ascending: text(c, "order") === "asc",
    };
    return c.json(await backend.logs(filter, range(c), page(c, 100)));
  });

  app.get("/api/metrics", async (c) => c.json(await backend.metrics(text(c, "q"), page(c, 200))));
  app.get("/api/metrics/series", async (c) => {
    const name = text(c, "name");
    if (!name) throw new HttpError(400, { error: "name is required" });
    return c.json({ rows: await backend.metricSeries(name, range(c)) });
  });

  app.post("/api/sql", async (c) => {
    const body = await jsonBody(c.req.raw);
    if (typeof body.sql !== "string") throw new HttpError(400, { error: "sql is required" });
    const limit = typeof body.limit === "number" ? Math.min(Math.max(1, Math.floor(body.limit)), SQL_ROW_CAP) : 200;
    return c.json(await backend.sql(body.sql, limit));
  });
  app.get("/api/sql.csv", async (c) => {
    const sql = c.req.query("sql");
    if (!sql) throw new HttpError(400, { error: "sql is required" });
    const lines = await backend.sqlCsv(sql);
    const encoder = new TextEncoder();
    const iterator = lines[Symbol.asyncIterator]();
    // Pulled as the client reads: a big result never sits in memory.
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(`${next.value}\n`));
      },
      async cancel() {
        await iterator.return?.();
      },
    });
    return c.body(stream, 200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": 'attachment; filename="ctvs-query.csv"',
    });
  });

  app.notFound(() => {
    throw new HttpError(404, { error: "not found" });
  });
  app.onError((error, c) => {
    const known = error instanceof HttpError ? error : undefined;
    if (!known) options.log?.(`error: ctvs ui ${c.req.method} ${c.req.path}: ${(error as Error).message}`);
    const response = (known ?? new HttpError(500, { error: (error as Error).message })).toResponse();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) response.headers.set(name, value);
    return response;
  });
  return app;
}

/** A JSON object body (a SQL text, a list of datasets; the body limit applies first). */
async function jsonBody(request: Request): Promise<Record<string, unknown>> {
  const text = await request.text();
  try {
    const value = JSON.parse(text || "{}");
    if (value && typeof value === "object" && !Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  throw new HttpError(400, { error: "body must be a JSON object" });
}
