import assert from "node:assert/strict";
import { mkdir, symlink, writeFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { truncationMarker } from "../../../server/proxy/body_capture.ts";
import { SessionStore } from "../../../server/proxy/session_store.ts";
import { startHarness } from "./_harness.ts";

const STREAM_BODY = JSON.stringify({ stream: true, messages: [{ role: "user", content: "hi" }] });

async function sinkFailureCase(prepare: (dir: string, file: string) => Promise<void>, reason: RegExp) {
  const h = await startHarness({
    prepare: async (dir, sink) => {
      await mkdir(path.join(dir, "gw"), { recursive: true });
      await prepare(dir, sink.pathFor("proxy"));
    },
  });
  try {
    const direct = await (await fetch(`${h.fake.url}/v1/messages`, { method: "POST", body: STREAM_BODY })).text();
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body: STREAM_BODY });
      assert.equal(await response.text(), direct);
      assert.ok(performance.now() - started < 1000);
    }
    await h.sink.flush(); // not h.rows(): reading /dev/full never ends
    assert.equal(h.logs.length, 1, h.logs.join("\n"));
    assert.match(h.logs[0], /^warning: proxy recording failed \(proxied traffic is unaffected\): Cannot write /);
    assert.match(h.logs[0], reason);
  } finally {
    await h.close();
  }
}

test(
  "a full disk never breaks the client's stream and is reported once",
  { skip: !existsSync("/dev/full") },
  () =>
    sinkFailureCase(async (_dir, file) => {
      await mkdir(path.dirname(file), { recursive: true });
      await symlink("/dev/full", file); // every write fails with ENOSPC, even for root
    }, /no space left on device/),
);

test("an unwritable sink directory never breaks the client's stream and is reported once", () =>
  sinkFailureCase(async (dir) => {
    await writeFile(path.join(dir, "gw", "proxy"), "a file where the proxy folder should be");
  }, /not a directory/));

test("a request body over the record limit is forwarded whole and recorded truncated with a marker", async () => {
  const h = await startHarness({ proxy: { max_record_body_bytes: 1024 } });
  try {
    const body = JSON.stringify({ messages: [{ role: "user", content: "é".repeat(3000) }] });
    const bytes = new TextEncoder().encode(body);
    const size = bytes.byteLength;
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body });
    assert.equal(response.status, 200);
    await response.arrayBuffer();
    assert.deepEqual(h.fake.requests[0].body, new TextEncoder().encode(body));
    const [{ exchange }] = await h.exchanges();
    const marker = `\n[collectivus: body truncated, recorded 1024 of ${size} bytes]`;
    assert.equal(exchange.request.body, new TextDecoder().decode(bytes.subarray(0, 1024)) + marker);
  } finally {
    await h.close();
  }
});

test("a gzip request body is forwarded compressed and recorded decoded", async () => {
  const h = await startHarness();
  try {
    const json = JSON.stringify({ messages: [{ role: "user", content: "zip ✓" }] });
    const gz = gzipSync(json);
    const response = await fetch(`${h.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-encoding": "gzip", "content-type": "application/json" },
      body: new Uint8Array(gz),
    });
    await response.arrayBuffer();
    assert.deepEqual(h.fake.requests[0].body, new Uint8Array(gz));
    const [{ exchange }] = await h.exchanges();
    assert.equal(exchange.request.body, json);
  } finally {
    await h.close();
  }
});

test("a gzip response is recorded decoded and its headers stay consistent with the bytes relayed", async () => {
  const h = await startHarness();
  try {
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", headers: { "x-fake-scenario": "gzip" } });
    assert.deepEqual(await response.json(), { id: "gz", text: "compressed ✓" });
    const [{ exchange }] = await h.exchanges();
    assert.equal(exchange.response.body, '{"id":"gz","text":"compressed ✓"}');
    assert.equal(exchange.response.headers["content-encoding"], "gzip");
    assert.equal(exchange.stream_event_count, 0);
  } finally {
    await h.close();
  }
});

test("a gzip SSE stream reaches the client whole and is recorded event by event", async () => {
  const h = await startHarness();
  try {
    const body = JSON.stringify({ model: "claude-x", stream: true, messages: [{ role: "user", content: "hi" }] });
    const headers = { "x-fake-scenario": "gzip-sse", "content-type": "application/json" };
    const direct = await (await fetch(`${h.fake.url}/v1/messages`, { method: "POST", body, headers })).text();
    const proxied = await (await fetch(`${h.url}/v1/messages`, { method: "POST", body, headers })).text();
    assert.equal(proxied, direct);
    const [{ exchange, events }] = await h.exchanges();
    assert.match(exchange.response.headers["content-type"], /^text\/event-stream/);
    assert.ok(events.length > 3);
    assert.equal(exchange.stream_event_count, events.length);
    assert.equal(events.map((e) => `event: ${e.event}\ndata: ${e.data}\n\n`).join(""), direct);
  } finally {
    await h.close();
  }
});

test("non-streaming answers and upstream errors are relayed unmodified and recorded with their bodies", async () => {
  const h = await startHarness();
  try {
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
    const direct = await fetch(`${h.fake.url}/v1/messages`, {
      method: "POST",
      body,
      headers: { "x-fake-scenario": "overloaded" },
    });
    const proxied = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      body,
      headers: { "x-fake-scenario": "overloaded" },
    });
    assert.equal(proxied.status, 529);
    const text = await proxied.text();
    assert.equal(text, await direct.text());
    const ok = await fetch(`${h.url}/v1/messages`, { method: "POST", body });
    const okText = await ok.text();
    const [overloaded, answered] = await h.exchanges();
    assert.equal(overloaded.exchange.response.status, 529);
    assert.equal(overloaded.exchange.response.body, text);
    assert.equal("error" in overloaded.exchange, false);
    assert.equal(answered.exchange.response.body, okText);
    assert.equal(JSON.parse(okText).content[0].text, "The command printed ctvs-e2e. Done — ✓.");
  } finally {
    await h.close();
  }
});

test("a compressed answer longer than the record limit, compressed or decoded, is recorded as its first decoded bytes", async () => {
  // One upstream path per case: text that compresses well (decodes past the limit) and text that does not (its
  // compressed bytes alone pass the limit).
  const repetitive = "a".repeat(5000);
  let seed = 7;
  const noisy = Array.from(
    { length: 3000 },
    () => String.fromCharCode(33 + ((seed = (seed * 48271) % 2147483647) % 90)),
  )
    .join("");
  const server = http.createServer((req, res) => {
    const gz = gzipSync(req.url === "/v1/repetitive" ? repetitive : noisy);
    res.writeHead(200, { "content-type": "text/plain", "content-encoding": "gzip", "content-length": gz.byteLength });
    res.end(gz);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const h = await startHarness({
    upstreams: () => [{ name: "gz", base_url: `http://127.0.0.1:${port}`, match: { path_prefix: "/" } }],
    proxy: { max_record_body_bytes: 1000 },
  });
  try {
    assert.ok(gzipSync(noisy).byteLength > 1000 && gzipSync(repetitive).byteLength < 1000);
    for (const [name, text] of [["repetitive", repetitive], ["noisy", noisy]]) {
      const response = await fetch(`${h.url}/v1/${name}`);
      // Relayed compressed, as the upstream sent it; the client's fetch decodes it.
      assert.equal(response.headers.get("content-encoding"), "gzip");
      assert.equal(await response.text(), text);
    }
    const rows = (await h.exchanges()).map(({ exchange }) => exchange);
    assert.deepEqual(rows.map((r) => r.request.path), ["/v1/repetitive", "/v1/noisy"]);
    assert.equal(rows[0].response.body, repetitive.slice(0, 1000) + truncationMarker(1000, 5000));
    assert.equal(rows[1].response.body, noisy.slice(0, 1000) + truncationMarker(1000, 3000));
  } finally {
    await h.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

test("an ignored session is never recorded, even when its request body is over the limit and streamed", async () => {
  const sessions = new SessionStore();
  sessions.ignore("s-ignored");
  sessions.ignore("0f1e2d3c-aaaa");
  const h = await startHarness({ proxy: { max_record_body_bytes: 1024 }, app: { sessions } });
  try {
    // Claude Code puts metadata after the messages: far beyond the first 1024 bytes the recorder keeps.
    const big = (userId?: string) =>
      JSON.stringify({
        model: "claude-x",
        stream: true,
        messages: [{ role: "user", content: `"user_id" in text ${"x".repeat(200_000)}` }],
        tools: [{ name: "t", input_schema: { properties: { user_id: { type: "string" } } } }],
        ...(userId === undefined ? {} : { metadata: { user_id: userId } }),
      });
    const send = async (body: string, headers: Record<string, string> = {}) => {
      const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body, headers });
      assert.equal(response.status, 200);
      assert.match(await response.text(), /^event: message_start/);
    };
    const ignoredBody = big(JSON.stringify({ device_id: "d", account_uuid: "", session_id: "s-ignored" }));
    await send(ignoredBody);
    await send(big("user_abc_account__session_0f1e2d3c-aaaa"));
    await send(big(), { "x-claude-code-session-id": "s-ignored" });
    await send(big(JSON.stringify({ session_id: "s-recorded" })));
    await send(big());
    // Forwarded whole all the same.
    assert.equal(h.fake.requests.length, 5);
    assert.deepEqual(h.fake.requests[0].body, new TextEncoder().encode(ignoredBody));
    const exchanges = await h.exchanges();
    assert.equal(exchanges.length, 2);
    for (const { exchange, events } of exchanges) {
      assert.match(exchange.request.body, /\[collectivus: body truncated, recorded 1024 of \d+ bytes\]$/);
      assert.ok(events.length > 0);
      assert.equal(events.length, exchange.stream_event_count);
    }
    const rows = await h.rows();
    // The held stream events are written before their exchange row.
    assert.equal(rows.at(-1)!.kind, "exchange");
  } finally {
    await h.close();
  }
});
