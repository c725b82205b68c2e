import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { SMALL_BODY_BYTES } from "../../../server/proxy/forward.ts";
import { readHeaders, redactionSet } from "../../../server/proxy/headers.ts";
import { HeaderPairs } from "../../../server/proxy/upstream/response_head.ts";
import { until } from "../../helpers/until.ts";
import { startHarness } from "./_harness.ts";

/** A raw node:http upstream whose handler the test writes; it counts requests received and responses closed. */
async function rawUpstream(handler: http.RequestListener) {
  const state = { received: 0, closed: 0 };
  const server = http.createServer((req, res) => {
    state.received++;
    res.on("close", () => state.closed++);
    handler(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    state,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

const upstreamAt = (url: string) => () => [{ name: "raw", base_url: url, match: { path_prefix: "/" } }];

test("readHeaders reads once: forwardable pairs without hop-by-hop headers, recorded form redacted", () => {
  const headers = new Headers([
    ["connection", "keep-alive, x-hop"],
    ["x-hop", "1"],
    ["keep-alive", "timeout=5"],
    ["host", "example.test"],
    ["set-cookie", "a=secret-one"],
    ["set-cookie", "b=secret-two"],
    ["x-api-key", "sk-ant-abcdwxyz"],
    ["accept", "text/plain"],
    ["accept", "application/json"],
  ]);
  const { forward, recorded } = readHeaders(headers, redactionSet(), ["host"]);
  assert.deepEqual(forward, [
    ["accept", "text/plain, application/json"],
    ["set-cookie", "a=secret-one"],
    ["set-cookie", "b=secret-two"],
    ["x-api-key", "sk-ant-abcdwxyz"],
  ]);
  assert.deepEqual(recorded, {
    accept: "text/plain, application/json",
    connection: "keep-alive, x-hop",
    host: "example.test",
    "keep-alive": "timeout=5",
    "set-cookie": ["REDACTED:-one", "REDACTED:-two"],
    "x-api-key": "REDACTED:wxyz",
    "x-hop": "1",
  });
  // An upstream answer's fields as received (HTTP/1.1 client) are recorded the same way: repeats joined but cookies.
  const received = new HeaderPairs([
    ["vary", "Origin"],
    ["set-cookie", "a=secret-one"],
    ["vary", "Accept-Encoding"],
    ["set-cookie", "b=secret-two"],
  ]);
  const fromUpstream = readHeaders(received, redactionSet());
  assert.deepEqual(fromUpstream.recorded, {
    vary: "Origin, Accept-Encoding",
    "set-cookie": ["REDACTED:-one", "REDACTED:-two"],
  });
  assert.deepEqual(fromUpstream.forward, received.pairs);
});

test("a small fixed-length answer reaches the client byte for byte with its headers and is recorded whole", async () => {
  const body = new TextEncoder().encode(`{"text":"${"é".repeat(1000)}"}`);
  const up = await rawUpstream((_req, res) => {
    res.writeHead(201, "Made", [
      ["content-type", "application/json"],
      ["content-length", String(body.byteLength)],
      ["set-cookie", "a=secret-one"],
      ["set-cookie", "b=secret-two"],
      ["request-id", "req_1"],
    ]);
    res.end(body);
  });
  const h = await startHarness({ upstreams: upstreamAt(up.url) });
  try {
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body: '{"a":1}' });
    assert.equal(response.status, 201);
    assert.equal(response.headers.get("content-length"), String(body.byteLength));
    assert.deepEqual(response.headers.getSetCookie(), ["a=secret-one", "b=secret-two"]);
    assert.equal(response.headers.get("request-id"), "req_1");
    assert.deepEqual(new Uint8Array(await response.arrayBuffer()), body);
    const [{ exchange }] = await h.exchanges();
    assert.equal(exchange.error, undefined);
    assert.equal(exchange.response.status, 201);
    assert.equal(exchange.response.body, new TextDecoder().decode(body));
    assert.deepEqual(exchange.response.headers["set-cookie"], ["REDACTED:-one", "REDACTED:-two"]);
    assert.equal(exchange.request.body, '{"a":1}');
  } finally {
    await h.close();
    await up.close();
  }
});

test("a client that leaves while a small answer's body is arriving aborts the upstream: client_aborted", async () => {
  const up = await rawUpstream((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": "100" });
    res.write('{"partial":'); // and the rest never comes
  });
  const h = await startHarness({ upstreams: upstreamAt(up.url) });
  try {
    const client = new AbortController();
    const pending = fetch(`${h.url}/v1/messages`, { method: "POST", body: "{}", signal: client.signal });
    await until("the upstream received the request", () => up.state.received === 1);
    assert.equal(up.state.closed, 0);
    client.abort();
    await assert.rejects(pending);
    await until("the upstream connection closed", () => up.state.closed === 1);
    await until("the exchange is recorded", async () => (await h.exchanges()).length === 1);
    const [{ exchange }] = await h.exchanges();
    assert.equal(exchange.error, "client_aborted");
  } finally {
    await h.close();
    await up.close();
  }
});

test("an upstream that fails inside a small answer's body breaks the client's body and is recorded", async () => {
  const up = await rawUpstream((_req, res) => {
    res.writeHead(200, { "content-type": "application/json", "content-length": String(SMALL_BODY_BYTES) });
    // Once the bytes are handed to the socket: they arrive, then the connection ends.
    res.write('{"partial":', () => res.socket?.destroy());
  });
  const h = await startHarness({ upstreams: upstreamAt(up.url) });
  try {
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body: "{}" });
    assert.equal(response.status, 200);
    await assert.rejects(response.arrayBuffer());
    await until("the exchange is recorded", async () => (await h.exchanges()).length === 1);
    const [{ exchange }] = await h.exchanges();
    assert.ok(exchange.error && exchange.error !== "client_aborted", exchange.error);
    assert.equal(exchange.response.status, 200);
  } finally {
    await h.close();
    await up.close();
  }
});
