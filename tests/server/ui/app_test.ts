import assert from "node:assert/strict";
import { test } from "node:test";
import { HttpError } from "../../../server/http_error.ts";
import { uiApp } from "../../../server/ui/app.ts";
import type { UiBackend } from "../../../server/ui/backend.ts";
import { newToken, tokenMatches } from "../../../server/ui/token.ts";

const TOKEN = newToken();
const LOCAL = { remoteAddr: { hostname: "127.0.0.1", port: 50000 } };
const REMOTE = { remoteAddr: { hostname: "10.1.2.3", port: 50000 } };

/** A backend whose every read answers what the test needs (the app's HTTP rules are under test here). */
function backend(overrides: Partial<UiBackend> = {}): UiBackend {
  const fail = () => Promise.reject(new Error("not used"));
  return new Proxy(overrides as UiBackend, {
    get: (target, name) => (target as unknown as Record<string | symbol, unknown>)[name] ?? fail,
  });
}

function app(options: { allowRemote?: boolean; backend?: UiBackend } = {}) {
  return uiApp({
    backend: options.backend ?? backend({ status: () => Promise.resolve({ datasets: [] } as never) }),
    token: TOKEN,
    allowRemote: options.allowRemote ?? false,
    assets: { html: '<script src="/assets/app.js?token=__CTVS_TOKEN__"></script>', js: "js", css: "css" },
  });
}

function request(path: string, init: RequestInit = {}, env: unknown = LOCAL, host = "127.0.0.1:9999") {
  const headers = new Headers(init.headers);
  headers.set("host", host);
  return app().request(`http://${host}${path}`, { ...init, headers }, env);
}

test("tokens are random, 43 characters, and compared whole", () => {
  const a = newToken(), b = newToken();
  assert.notEqual(a, b);
  assert.match(a, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(tokenMatches(a, a), true);
  assert.equal(tokenMatches(b, a), false);
  assert.equal(tokenMatches(`${a}x`, a), false);
  assert.equal(tokenMatches("", a), false);
});

test("a request without the token, or with another, is refused with 401; with it, answered", async () => {
  for (const path of ["/", "/assets/app.js", "/api/status", `/api/status?token=${newToken()}`]) {
    const response = await request(path);
    assert.equal(response.status, 401, path);
    assert.match((await response.json()).error, /needs the token of the running ctvs ui/);
  }
  assert.equal((await request("/api/status", { headers: { "x-ctvs-token": TOKEN } })).status, 200);
  assert.equal((await request(`/assets/app.js?token=${TOKEN}`)).status, 200);
  const page = await request(`/?token=${TOKEN}`);
  assert.equal(page.status, 200);
  assert.equal(await page.text(), `<script src="/assets/app.js?token=${TOKEN}"></script>`);
  assert.match(page.headers.get("content-security-policy")!, /default-src 'none'; script-src 'self'/);
  assert.equal(page.headers.get("referrer-policy"), "no-referrer");
});

test("a caller that is not on loopback is refused with 403, even with the token, unless --allow-remote", async () => {
  const refused = await request(`/api/status?token=${TOKEN}`, {}, REMOTE);
  assert.equal(refused.status, 403);
  assert.match((await refused.json()).error, /loopback callers only \(start it with --allow-remote/);
  assert.equal((await request(`/api/status?token=${TOKEN}`, {}, {})).status, 403, "an unknown peer too");
  const open = app({ allowRemote: true });
  const allowed = await open.request(`http://192.0.2.1:9/api/status?token=${TOKEN}`, {}, REMOTE);
  assert.equal(allowed.status, 200);
  assert.equal((await open.request("http://192.0.2.1:9/api/status", {}, REMOTE)).status, 401, "the token still");
});

test("a Host header that is not loopback (DNS rebinding) is refused with 403", async () => {
  const response = await request(`/api/status?token=${TOKEN}`, {}, LOCAL, "attacker.example:9999");
  assert.equal(response.status, 403);
  assert.match((await response.json()).error, /localhost, 127\.0\.0\.1 or \[::1\] only/);
  for (const host of ["localhost:1", "127.0.0.1:65535", "[::1]:80"]) {
    assert.equal((await request(`/api/status?token=${TOKEN}`, {}, LOCAL, host)).status, 200, host);
  }
});

test("bad parameters are 400s naming the parameter; backend errors keep their status", async () => {
  const ui = uiApp({
    backend: backend({
      traces: () => Promise.resolve({ rows: [], offset: 0, more: false }),
      sql: () => Promise.reject(new HttpError(400, { error: "SQL must be a single read-only SELECT statement" })),
    }),
    token: TOKEN,
    allowRemote: false,
    assets: { html: "", js: "", css: "" },
  });
  const get = (path: string) =>
    ui.request(`http://127.0.0.1:1${path}`, { headers: { "x-ctvs-token": TOKEN, host: "127.0.0.1:1" } }, LOCAL);
  assert.equal((await get("/api/traces?status=error")).status, 200);
  const bad = await get("/api/traces?status=broken");
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error, "status must be one of error, ok, unset, got broken");
  assert.equal((await get("/api/traces?limit=0")).status, 400);
  assert.equal((await get("/api/traces?from=yesterday")).status, 400);
  const refused = await ui.request("http://127.0.0.1:1/api/sql", {
    method: "POST",
    headers: { "x-ctvs-token": TOKEN, host: "127.0.0.1:1", "content-type": "application/json" },
    body: JSON.stringify({ sql: "drop table logs" }),
  }, LOCAL);
  assert.equal(refused.status, 400);
  assert.match((await refused.json()).error, /read-only SELECT/);
  const big = await ui.request("http://127.0.0.1:1/api/sql", {
    method: "POST",
    headers: { "x-ctvs-token": TOKEN, host: "127.0.0.1:1", "content-type": "application/json" },
    body: JSON.stringify({ sql: "x".repeat(2 * 1024 * 1024) }),
  }, LOCAL);
  assert.equal(big.status, 413);
});

test("an image is served as its bytes with its type (token in the URL, as an <img> sends it); a bad index is a 400", async () => {
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
  const asked: unknown[] = [];
  const ui = uiApp({
    backend: backend({
      conversationPartImage: (...args) => {
        asked.push(args);
        return Promise.resolve({ media_type: "image/png", bytes: png });
      },
      exchangeImage: (_gw, _date, _id, index) =>
        index === 0
          ? Promise.resolve({ media_type: "image/jpeg", bytes: png })
          : Promise.reject(new HttpError(404, { error: "no image there" })),
    }),
    token: TOKEN,
    allowRemote: false,
    assets: { html: "", js: "", css: "" },
  });
  const get = (path: string) => ui.request(`http://127.0.0.1:1${path}`, { headers: { host: "127.0.0.1:1" } }, LOCAL);
  const part = await get(`/api/conversations/proxy/c%201/parts/m1/2/image?token=${TOKEN}`);
  assert.equal(part.status, 200);
  assert.equal(part.headers.get("content-type"), "image/png");
  assert.equal(part.headers.get("x-content-type-options"), "nosniff");
  assert.deepEqual(new Uint8Array(await part.arrayBuffer()), png);
  assert.deepEqual(asked, [["proxy", "c 1", "m1", 2]]);
  const exchange = await get(`/api/exchanges/gw/2025-03-01/x1234567/images/0?token=${TOKEN}`);
  assert.equal(exchange.headers.get("content-type"), "image/jpeg");
  await exchange.body?.cancel();
  const missing = await get(`/api/exchanges/gw/2025-03-01/x1234567/images/1?token=${TOKEN}`);
  assert.deepEqual([missing.status, await missing.json()], [404, { error: "no image there" }]);
  const bad = await get(`/api/conversations/proxy/c/parts/m1/-1/image?token=${TOKEN}`);
  assert.deepEqual([bad.status, await bad.json()], [400, { error: "part index must be 0 or more" }]);
  assert.equal((await get("/api/conversations/proxy/c/parts/m1/2/image")).status, 401);
});

test("usage reads the source asked for (all by default: proxy and imported transcripts); another is a 400", async () => {
  const asked: unknown[][] = [];
  const ui = uiApp({
    backend: backend({
      usage: (...args) => {
        asked.push(args.slice(0, 2).concat(args.slice(3)));
        return Promise.resolve([]);
      },
    }),
    token: TOKEN,
    allowRemote: false,
    assets: { html: "", js: "", css: "" },
  });
  const get = (path: string) =>
    ui.request(`http://127.0.0.1:1${path}`, { headers: { "x-ctvs-token": TOKEN, host: "127.0.0.1:1" } }, LOCAL);
  assert.equal((await get("/api/usage")).status, 200);
  assert.equal((await get("/api/usage?report=model&source=transcripts&breakdown=true")).status, 200);
  assert.deepEqual(asked, [["daily", false, "all"], ["model", true, "transcripts"]]);
  const bad = await get("/api/usage?source=wire");
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error, "source must be one of all, proxy, transcripts, got wire");
});
