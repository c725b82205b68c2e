import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { UpstreamConfig } from "../../../platform/config/types.ts";
import { proxyApp } from "../../../server/proxy/app.ts";
import { Recorder } from "../../../server/proxy/recorder.ts";
import { tempDir } from "../../helpers/child.ts";

const LOCAL = { remoteAddr: { hostname: "127.0.0.1", port: 5000 } };
const REMOTE = { remoteAddr: { hostname: "10.1.2.3", port: 5000 } };

/** An app whose upstream fetch is a function of the test, rows kept in memory. */
function setup(
  upstreams: UpstreamConfig[],
  options: { ignoredPaths?: string[]; redactHeaders?: string[]; redactQueryParams?: string[]; log?: string[] } = {},
) {
  const lines: string[] = [];
  const seen: Request[] = [];
  const recorder = new Recorder({
    appendLines: (_signal, rows) => (lines.push(...rows), Promise.resolve()),
    flush: () => Promise.resolve(),
  }, { log: () => {} });
  const app = proxyApp({
    config: {
      listen: "127.0.0.1:0",
      upstreams,
      redact_headers: options.redactHeaders,
      redact_query_params: options.redactQueryParams,
    },
    recorder,
    ignoredPaths: options.ignoredPaths,
    log: (line) => options.log?.push(line),
    fetch: (input, init) => {
      const request = new Request(input, init);
      seen.push(request);
      return Promise.resolve(Response.json({ url: request.url }, { headers: { "set-cookie": "a=secret-cookie" } }));
    },
  });
  const rows = () => lines.map((l) => JSON.parse(l));
  return { app, seen, rows };
}

const UP = (name: string, prefix: string, base = `http://${name}.test:9`): UpstreamConfig => ({
  name,
  base_url: base,
  match: { path_prefix: prefix },
});

test("routing picks the first upstream whose prefix matches whole segments", async () => {
  const { app, seen } = setup([UP("a", "/v1/messages"), UP("b", "/v1"), UP("c", "/")]);
  for (const [path, host] of [["/v1/messages?beta=true", "a"], ["/v1/messagesX", "b"], ["/v1", "b"], ["/v2/x", "c"]]) {
    const response = await app.request(path, { method: "POST", body: "x" }, LOCAL);
    assert.equal(response.status, 200);
    assert.equal((await response.json()).url, `http://${host}.test:9${path}`);
  }
  assert.equal(seen.length, 4);
});

test("no match answers the banner on GET / and a 404 JSON elsewhere", async () => {
  const { app } = setup([UP("a", "/v1")]);
  const banner = await app.request("/", {}, LOCAL);
  assert.equal(banner.status, 200);
  assert.match(await banner.text(), /OTLP collector and pass-through LLM proxy/);
  const missing = await app.request("/v2/chat?x=1", { method: "POST" }, LOCAL);
  assert.equal(missing.status, 404);
  assert.deepEqual(await missing.json(), { error: "no upstream matches path", path: "/v2/chat" });
});

test("forwarding drops hop-by-hop headers and host, keeps auth and anthropic headers verbatim", async () => {
  const { app, seen, rows } = setup([UP("a", "/")]);
  const response = await app.request("/v1/messages", {
    method: "POST",
    headers: {
      host: "proxy.local",
      connection: "keep-alive, x-private",
      "x-private": "hop",
      "keep-alive": "timeout=5",
      te: "trailers",
      "proxy-authorization": "Basic abc",
      authorization: "Bearer sk-secret-9876",
      "anthropic-version": "2023-06-01",
      "anthropic-beta": "a,b",
    },
    body: "{}",
  }, LOCAL);
  await response.text();
  const sent = seen[0].headers;
  for (const name of ["connection", "x-private", "keep-alive", "te", "proxy-authorization"]) {
    assert.equal(sent.get(name), null, name);
  }
  assert.equal(sent.get("host"), null);
  assert.equal(sent.get("authorization"), "Bearer sk-secret-9876");
  assert.equal(sent.get("anthropic-beta"), "a,b");
  const [row] = rows();
  assert.equal(row.request.headers.authorization, "REDACTED:9876");
  assert.equal(row.response.headers["set-cookie"], "REDACTED:okie");
  assert.equal(row.client.ip, "127.0.0.1");
});

test("credentials in headers and the query string are recorded as REDACTED:<last4> and forwarded as sent", async () => {
  const { app, seen, rows } = setup([UP("a", "/")]);
  const target = "/v1beta/models/g:streamGenerateContent?alt=sse&key=AIzaSy-gemini-key-G00g&beta=true" +
    "&API_KEY=azure-k3y-AZ0R&token=tok%2Fen%2B1&sig=sas-signature-S1gN&Api-Key&x-amz-signature=abc";
  const response = await app.request(target, {
    method: "POST",
    headers: {
      "proxy-authorization": "Basic dXNlcjpwYXNzd29yZA==",
      "api-key": "azure-openai-key-AZ12",
      "x-goog-api-key": "AIzaSy-goog-key-GO34",
      "x-amz-security-token": "session-token-AM56",
      "x-request-id": "req-1",
    },
    body: "{}",
  }, LOCAL);
  assert.equal(response.status, 200);
  await response.text();
  // The upstream gets every byte of the query and every credential header (proxy-authorization is hop-by-hop).
  assert.equal(new URL(seen[0].url).pathname + new URL(seen[0].url).search, target);
  assert.equal(seen[0].headers.get("x-goog-api-key"), "AIzaSy-goog-key-GO34");
  const [row] = rows();
  assert.equal(
    row.request.path,
    "/v1beta/models/g:streamGenerateContent?alt=sse&key=REDACTED:G00g&beta=true" +
      "&API_KEY=REDACTED:AZ0R&token=REDACTED:en%2B1&sig=REDACTED:S1gN&Api-Key&x-amz-signature=REDACTED:abc",
  );
  assert.deepEqual(row.request.headers, {
    "api-key": "REDACTED:AZ12",
    "content-type": row.request.headers["content-type"],
    "proxy-authorization": "REDACTED:ZA==",
    "x-amz-security-token": "REDACTED:AM56",
    "x-goog-api-key": "REDACTED:GO34",
    "x-request-id": "req-1",
  });
});

test("a config adds redacted headers and query parameters; an empty list removes none of the defaults", async () => {
  const extra = setup([UP("a", "/")], { redactHeaders: ["X-Tenant-Secret"], redactQueryParams: ["Session"] });
  await (await extra.app.request("/x?session=s-123-abcd&key=k-1234", {
    method: "POST",
    headers: { "x-tenant-secret": "tenant-5678", authorization: "Bearer b-9999" },
    body: "{}",
  }, LOCAL)).text();
  const [row] = extra.rows();
  assert.equal(row.request.path, "/x?session=REDACTED:abcd&key=REDACTED:1234");
  assert.equal(row.request.headers["x-tenant-secret"], "REDACTED:5678");
  assert.equal(row.request.headers.authorization, "REDACTED:9999");

  const empty = setup([UP("a", "/")], { redactHeaders: [], redactQueryParams: [] });
  await (await empty.app.request("/x?api_key=k-4321", {
    method: "POST",
    headers: { "x-goog-api-key": "g-8765" },
    body: "{}",
  }, LOCAL)).text();
  const [second] = empty.rows();
  assert.equal(second.request.path, "/x?api_key=REDACTED:4321");
  assert.equal(second.request.headers["x-goog-api-key"], "REDACTED:8765");
});

test("a WebSocket upgrade gets a fast 426 so Codex falls back to HTTP", async () => {
  const { app, seen } = setup([UP("openai", "/v1")]);
  const response = await app.request("/v1/responses", { headers: { upgrade: "websocket", connection: "Upgrade" } });
  assert.equal(response.status, 426);
  assert.deepEqual(await response.json(), { error: "websocket transport is not supported by this proxy; use HTTP" });
  assert.equal(seen.length, 0);
});

test("an upstream base_url that is not http(s) fails when the app is built", () => {
  assert.throws(() => setup([UP("x", "/", "ftp://x")]), /upstream "x" must use http:\/\/ or https:\/\/, got: ftp:/);
  assert.throws(() => setup([UP("y", "/", "not a url")]), /invalid base_url for upstream "y"/);
});

test("the local endpoints refuse non-loopback callers and check method and body", async () => {
  const { app } = setup([UP("a", "/")]);
  const post = (url: string, body: string, env = LOCAL) => app.request(url, { method: "POST", body }, env);
  const refused = await post("/_collectivus/session-context", '{"session_id":"s"}', REMOTE);
  assert.equal(refused.status, 403);
  assert.deepEqual(await refused.json(), { error: "session context endpoint is local-only" });
  assert.equal((await app.request("/_collectivus/ignore/session", {}, REMOTE)).status, 403);
  assert.equal((await app.request("/_collectivus/ignore/session", {})).status, 403); // no address: not loopback
  const get = await app.request("/_collectivus/session-context", {}, LOCAL);
  assert.equal(get.status, 405);
  assert.equal(get.headers.get("allow"), "POST");
  const put = await app.request("/_collectivus/ignore/session", { method: "PUT" }, LOCAL);
  assert.equal(put.headers.get("allow"), "GET, POST, DELETE");
  for (
    const [body, error] of [["{", "invalid JSON body"], ["[1]", "body must be an object"], [
      "{}",
      "session_id is required",
    ]]
  ) {
    const response = await post("/_collectivus/session-context", body);
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error });
  }
  assert.equal(
    (await post("/_collectivus/session-context", JSON.stringify({ session_id: "x".repeat(70_000) }))).status,
    413,
  );
});

test("ignored sessions are listed, added and removed, and their exchanges write no rows", async () => {
  const { app, rows, seen } = setup([UP("a", "/")]);
  const call = async (method: string, body?: unknown) => {
    const init = { method, body: body === undefined ? undefined : JSON.stringify(body) };
    return await (await app.request("/_collectivus/ignore/session", init, LOCAL)).json();
  };
  assert.deepEqual(await call("POST", { session_id: "s1" }), { ok: true, total: 1 });
  assert.deepEqual(await call("POST", { session_id: "s2" }), { ok: true, total: 2 });
  assert.deepEqual(await call("GET"), { ignored: ["s1", "s2"], total: 2 });
  const body = JSON.stringify({ metadata: { user_id: JSON.stringify({ device_id: "d", session_id: "s1" }) } });
  await (await app.request("/v1/messages", { method: "POST", body }, LOCAL)).text();
  await (await app.request("/v1/messages", { method: "POST", headers: { "x-claude-code-session-id": "s2" } }, LOCAL))
    .text();
  assert.equal(seen.length, 2); // forwarded all the same
  assert.equal(rows().length, 0);
  assert.deepEqual(await call("DELETE", { session_id: "s1" }), { ok: true, removed: true, total: 1 });
  assert.deepEqual(await call("DELETE", { session_id: "s1" }), { ok: true, removed: false, total: 1 });
  await (await app.request("/v1/messages", { method: "POST", body }, LOCAL)).text();
  assert.equal(rows().length, 1);
});

test("session context adds cwd and git_branch; ignored_paths and .ctvsignore drop a session's exchanges", async () => {
  const tmp = await tempDir();
  try {
    const quiet = path.join(tmp.dir, "quiet");
    const marked = path.join(tmp.dir, "marked", "deep");
    const open = path.join(tmp.dir, "open");
    await mkdir(marked, { recursive: true });
    await writeFile(path.join(tmp.dir, "marked", ".ctvsignore"), "");
    const { app, rows } = setup([UP("a", "/")], { ignoredPaths: [quiet] });
    const contexts = [["s-open", open, "main"], ["s-quiet", path.join(quiet, "sub"), "dev"], ["s-marked", marked, "x"]];
    for (const [session_id, cwd, gitBranch] of contexts) {
      const r = await app.request("/_collectivus/session-context", {
        method: "POST",
        body: JSON.stringify({ session_id, cwd, gitBranch }),
      }, LOCAL);
      assert.deepEqual(await r.json(), { ok: true });
    }
    for (const [session] of contexts) {
      const body = JSON.stringify({ metadata: { user_id: JSON.stringify({ session_id: session }) } });
      await (await app.request("/v1/messages", { method: "POST", body }, LOCAL)).text();
    }
    const recorded = rows();
    assert.equal(recorded.length, 1);
    assert.equal(recorded[0].cwd, open);
    assert.equal(recorded[0].git_branch, "main");
    assert.deepEqual(Object.keys(recorded[0]).slice(-2), ["cwd", "git_branch"]);
  } finally {
    await tmp.remove();
  }
});

test("a .ctvsignore that cannot be checked is reported once, and the session is recorded", async () => {
  const tmp = await tempDir();
  try {
    const cwd = path.join(tmp.dir, "project");
    await mkdir(cwd);
    // A link to itself: ELOOP, as a permission problem would be (the tests run as root).
    await symlink(path.join(cwd, ".ctvsignore"), path.join(cwd, ".ctvsignore"));
    const log: string[] = [];
    const { app, rows } = setup([UP("a", "/")], { log });
    await app.request("/_collectivus/session-context", {
      method: "POST",
      body: JSON.stringify({ session_id: "s-loop", cwd }),
    }, LOCAL);
    const body = JSON.stringify({ metadata: { user_id: JSON.stringify({ session_id: "s-loop" }) } });
    for (let i = 0; i < 2; i++) await (await app.request("/v1/messages", { method: "POST", body }, LOCAL)).text();
    assert.equal(rows().length, 2);
    assert.deepEqual(log, [
      `warning: cannot check ${cwd}/.ctvsignore (too many symbolic links); recording the session as if it were absent`,
    ]);
  } finally {
    await tmp.remove();
  }
});

test("the local endpoints refuse a request naming a host that is not loopback (a DNS-rebound web page)", async () => {
  const { app } = setup([UP("a", "/")]);
  const body = JSON.stringify({ session_id: "private" });
  const call = (host: string, method: string) =>
    app.request(
      `http://${host}/_collectivus/ignore/session`,
      { method, body: method === "GET" ? undefined : body },
      LOCAL,
    );
  assert.equal((await call("127.0.0.1:8787", "POST")).status, 200);
  for (const host of ["attacker.example:8787", "127.0.0.1.attacker.example", "localhost.attacker.example:8787"]) {
    for (const method of ["GET", "POST", "DELETE"]) {
      const refused = await call(host, method);
      assert.equal(refused.status, 403, `${method} ${host}`);
      assert.match((await refused.json()).error, /answers requests to localhost, 127\.0\.0\.1 or \[::1\] only/);
    }
    const context = await app.request(`http://${host}/_collectivus/session-context`, {
      method: "POST",
      body: JSON.stringify({ session_id: "private", cwd: "/elsewhere" }),
    }, LOCAL);
    assert.equal(context.status, 403);
  }
  for (const host of ["localhost:8787", "[::1]:8787", "127.0.0.2"]) assert.equal((await call(host, "GET")).status, 200);
  // The session is still ignored.
  assert.deepEqual(await (await call("127.0.0.1:8787", "GET")).json(), { ignored: ["private"], total: 1 });
});
