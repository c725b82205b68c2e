import assert from "node:assert/strict";
import { test } from "node:test";
import net from "node:net";
import { SseParser } from "../../../server/sse_parser.ts";
import { freePort } from "../../helpers/child.ts";
import { until } from "../../helpers/until.ts";
import { startHarness } from "./_harness.ts";

const MESSAGES = JSON.stringify({
  model: "claude-fake",
  max_tokens: 64,
  stream: true,
  thinking: { type: "enabled", budget_tokens: 32 },
  tools: [{ name: "Bash", input_schema: { type: "object" } }],
  messages: [{ role: "user", content: "run it" }],
});
const HEADERS = {
  "content-type": "application/json",
  "x-api-key": "sk-ant-api03-secretwxyz",
  "anthropic-version": "2023-06-01",
  "anthropic-beta": "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
  "user-agent": "claude-cli/2.1.197 (external, cli)",
  "x-fake-delay-ms": "2",
};

async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

test("an Anthropic SSE stream reaches the client byte for byte and is recorded event by event", async () => {
  const h = await startHarness();
  try {
    const direct = await bytesOf(
      await fetch(`${h.fake.url}/v1/messages?beta=true`, {
        method: "POST",
        headers: HEADERS,
        body: MESSAGES,
      }),
    );
    const proxied = await fetch(`${h.url}/v1/messages?beta=true`, { method: "POST", headers: HEADERS, body: MESSAGES });
    assert.equal(proxied.status, 200);
    assert.equal(proxied.headers.get("content-type"), "text/event-stream; charset=utf-8");
    assert.match(proxied.headers.get("request-id")!, /^req_/);
    assert.equal(proxied.headers.get("keep-alive"), null);
    const body = await bytesOf(proxied);
    assert.deepEqual(body, direct);

    // The upstream got the same request the client sent, minus host and hop-by-hop headers.
    const [sentDirect, sentProxied] = h.fake.requests;
    assert.deepEqual(sentProxied.body, sentDirect.body);
    assert.equal(sentProxied.url, "/v1/messages?beta=true");
    for (const name of ["x-api-key", "anthropic-version", "anthropic-beta", "user-agent", "content-type"]) {
      assert.equal(sentProxied.headers[name], HEADERS[name as keyof typeof HEADERS], name);
    }
    assert.equal(sentProxied.headers.host, `127.0.0.1:${h.fake.port}`);

    const expected = new SseParser().push(direct);
    assert.ok(expected.some((e) => e.event === "ping"));
    assert.ok(expected.some((e) => e.data.includes('"input_json_delta"')));
    assert.ok(expected.some((e) => e.data.includes('"thinking_delta"')));
    const [{ exchange, events }] = await h.exchanges();
    assert.deepEqual(events.map(({ event, data }) => ({ event, data })), expected);
    assert.ok(events.every((e) => Object.keys(e).join() === "exchange_id,kind,t_ms,event,data"));
    assert.ok(events.every((e, i) => Number.isInteger(e.t_ms) && (i === 0 || e.t_ms >= events[i - 1].t_ms)));

    assert.match(exchange.exchange_id, /^[0-9a-f]{32}$/);
    assert.deepEqual(Object.keys(exchange), [
      "exchange_id",
      "kind",
      "ts_start",
      "ts_end",
      "duration_ms",
      "upstream",
      "client",
      "request",
      "response",
      "stream_event_count",
    ]);
    assert.equal(exchange.upstream, "fake");
    assert.deepEqual(exchange.client, { ip: "127.0.0.1", user_agent: HEADERS["user-agent"] });
    assert.equal(exchange.request.method, "POST");
    assert.equal(exchange.request.path, "/v1/messages?beta=true");
    assert.equal(exchange.request.body, MESSAGES);
    assert.equal(exchange.request.headers["x-api-key"], "REDACTED:wxyz");
    assert.equal(exchange.request.headers["anthropic-beta"], HEADERS["anthropic-beta"]);
    assert.equal(exchange.response.status, 200);
    assert.equal("body" in exchange.response, false);
    assert.equal(exchange.stream_event_count, expected.length);
    assert.ok(Date.parse(exchange.ts_end) >= Date.parse(exchange.ts_start));
    assert.ok(!JSON.stringify(await h.rows()).includes("secretwxyz"));
  } finally {
    await h.close();
  }
});

test("streams with bare CR or CRLF line breaks pass byte for byte and are recorded as the LF one is", async () => {
  const h = await startHarness();
  try {
    const send = (url: string, scenario: string) =>
      fetch(`${url}/v1/messages`, {
        method: "POST",
        headers: { ...HEADERS, "x-fake-scenario": scenario },
        body: MESSAGES,
      })
        .then(bytesOf);
    const expected = new SseParser().push(await send(h.fake.url, "text"));
    assert.equal(expected.length, 15);
    for (const scenario of ["cr-sse", "crlf-sse"]) {
      const direct = await send(h.fake.url, scenario);
      assert.ok(!direct.includes(10) || scenario === "crlf-sse", "bare CR only");
      assert.deepEqual(await send(h.url, scenario), direct, scenario);
    }
    const recorded = await h.exchanges();
    assert.equal(recorded.length, 2);
    for (const { events } of recorded) assert.deepEqual(events.map(({ event, data }) => ({ event, data })), expected);
  } finally {
    await h.close();
  }
});

test("a client that leaves mid-stream aborts the upstream and is recorded as client_aborted", async () => {
  const h = await startHarness();
  try {
    const response = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "x-fake-scenario": "big", "x-fake-bytes": String(256 * 2 ** 20) },
      body: "{}",
    });
    const reader = response.body!.getReader();
    await reader.read();
    await reader.cancel();
    await h.fake.closedEarly;
    await until("the exchange is recorded", async () => (await h.exchanges()).length === 1);
    const [{ exchange, events }] = await h.exchanges();
    assert.equal(exchange.error, "client_aborted");
    assert.equal(exchange.response.status, 200);
    assert.ok(events.length >= 1 && events.length === exchange.stream_event_count);
    assert.ok(h.fake.bigBytesWritten < 64 * 2 ** 20, `upstream kept writing: ${h.fake.bigBytesWritten}`);
  } finally {
    await h.close();
  }
});

test("a slow client holds the upstream back instead of the proxy buffering the stream", async () => {
  const h = await startHarness();
  try {
    const response = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "x-fake-scenario": "big", "x-fake-bytes": String(512 * 2 ** 20) },
      body: "{}",
    });
    const reader = response.body!.getReader();
    let read = 0;
    const until = Date.now() + 1000;
    while (Date.now() < until) {
      const { value } = await reader.read();
      read += value!.byteLength;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // What the upstream could write beyond what the client read is bounded by socket buffers, not by the stream.
    const ahead = h.fake.bigBytesWritten - read;
    assert.ok(ahead < 24 * 2 ** 20, `upstream ran ${ahead} bytes ahead of a client that read ${read}`);
    await reader.cancel();
  } finally {
    await h.close();
  }
});

test("a refused upstream gets a 502 JSON answer and a recorded 502", async () => {
  const port = await freePort();
  const h = await startHarness({
    upstreams: () => [{ name: "down", base_url: `http://127.0.0.1:${port}`, match: { path_prefix: "/v1" } }],
  });
  try {
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body: '{"a":1}' });
    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.error, "upstream connection failed");
    assert.match(body.detail, /refused|connect/i);
    const [{ exchange, events }] = await h.exchanges();
    assert.deepEqual(exchange.response, { status: 502, headers: {} });
    assert.equal(exchange.error, body.detail);
    assert.equal(exchange.request.body, '{"a":1}');
    assert.equal(events.length, 0);
  } finally {
    await h.close();
  }
});

test("an upstream reset mid-stream breaks the client's stream and is recorded with the events that passed", async () => {
  const h = await startHarness();
  try {
    const response = await fetch(`${h.url}/v1/messages`, {
      method: "POST",
      headers: { "x-fake-scenario": "reset" },
      body: JSON.stringify({ stream: true, messages: [] }),
    });
    assert.equal(response.status, 200);
    await assert.rejects(response.arrayBuffer());
    await until("the exchange is recorded", async () => (await h.exchanges()).length === 1);
    const [{ exchange, events }] = await h.exchanges();
    assert.ok(exchange.error && exchange.error !== "client_aborted", exchange.error);
    assert.equal(events[0].event, "message_start");
    assert.equal(exchange.stream_event_count, events.length);
  } finally {
    await h.close();
  }
});

test("a malformed upstream answer gets a 502 that says what was wrong, and is recorded", async () => {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.end("HTTP/1.1 200 OK\r\nx bad name: 1\r\ncontent-length: 0\r\n\r\n"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const h = await startHarness({
    upstreams: () => [{ name: "odd", base_url: `http://127.0.0.1:${port}`, match: { path_prefix: "/" } }],
  });
  try {
    const response = await fetch(`${h.url}/v1/messages`, { method: "POST", body: "{}" });
    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.error, "upstream connection failed");
    assert.equal(body.detail, 'malformed response header from upstream: "x bad name: 1"');
    const [{ exchange }] = await h.exchanges();
    assert.deepEqual(exchange.response, { status: 502, headers: {} });
    assert.equal(exchange.error, body.detail);
  } finally {
    await h.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});
