import assert from "node:assert/strict";
import { test } from "node:test";
import { Exchange } from "../../../server/proxy/exchange.ts";
import { Recorder } from "../../../server/proxy/recorder.ts";
import { SessionIdScanner, SessionUnknownError, watchSessionId } from "../../../server/proxy/session_id_scanner.ts";

/** Scans `text` split into pieces of `size` bytes. */
function scan(text: string, size: number): SessionIdScanner {
  const scanner = new SessionIdScanner();
  const bytes = new TextEncoder().encode(text);
  for (let at = 0; at < bytes.length && !scanner.done; at += size) scanner.push(bytes.subarray(at, at + size));
  return scanner;
}

test("SessionIdScanner finds the top-level metadata.user_id at any chunk size, escapes included", () => {
  const userId = JSON.stringify({ device_id: 'd"\\x', session_id: "s-ü-1" });
  const body = JSON.stringify({
    messages: [{ role: "user", content: [{ type: "text", text: 'say \\"metadata\\" {"user_id":"no"}\n' }] }],
    system: [{ type: "text", text: "x".repeat(5000) }],
    tools: [{ name: "t", input_schema: { type: "object", properties: { metadata: { user_id: "nested" } } } }],
    metadata: { other: [1, { user_id: "deeper" }], user_id: userId },
    max_tokens: 10,
  });
  for (const size of [1, 2, 3, 7, 64, 4096, body.length]) {
    const scanner = scan(body, size);
    assert.equal(scanner.done, true, `size ${size}`);
    assert.equal(scanner.id, "s-ü-1", `size ${size}`);
  }
});

test("SessionIdScanner ends without an id for bodies that hold none", () => {
  for (const body of ["[1,2]", '"text"', "not json", "{}", '{"metadata":{}}', '{"metadata":{"user_id":42}}']) {
    const scanner = scan(body, 3);
    assert.equal(scanner.done, true, body);
    assert.equal(scanner.id, undefined, body);
  }
  assert.equal(scan('{"metadata":{"user_id":"someone"}}', 5).id, undefined);
  // A body cut short is not done: the id may still come.
  assert.equal(scan('{"messages":[{"a":"b"}],"meta', 4).done, false);
});

test("watchSessionId(): an exchange that ends before the body waits for the rest, a short while", async () => {
  const enc = new TextEncoder();
  const source = () => {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    return { stream, controller };
  };
  const tail = enc.encode('], "metadata": {"user_id": "{\\"session_id\\":\\"s-9\\"}"}}');

  // The body is still being forwarded: the rest tells the session.
  const forwarded = source();
  const watched = watchSessionId(forwarded.stream, 1000);
  const reader = watched.body.getReader();
  forwarded.controller.enqueue(enc.encode('{"messages":['));
  assert.deepEqual(new TextDecoder().decode((await reader.read()).value), '{"messages":[');
  watched.settle();
  forwarded.controller.enqueue(tail);
  await reader.read();
  assert.equal(await watched.sessionId, "s-9");

  // The upstream stopped taking it (cancelled): what the client still sends is read for the id.
  const cancelled = source();
  const stopped = watchSessionId(cancelled.stream, 1000);
  const r2 = stopped.body.getReader();
  cancelled.controller.enqueue(enc.encode('{"messages":['));
  await r2.read();
  await r2.cancel();
  cancelled.controller.enqueue(tail);
  assert.equal(await stopped.sessionId, "s-9");

  // Nobody read it (the upstream could not be reached): read here. A body that ends without an id has none.
  const unread = source();
  const none = watchSessionId(unread.stream, 1000);
  none.settle();
  unread.controller.enqueue(enc.encode('{"messages":[]}'));
  assert.equal(await none.sessionId, undefined);

  // The rest never comes, or the client breaks off: unknown.
  const silent = source();
  const waiting = watchSessionId(silent.stream, 30);
  waiting.settle();
  // Its deadline does not keep a process alive by itself (a server's listener does).
  const alive = setTimeout(() => {}, 1000);
  await assert.rejects(waiting.sessionId, SessionUnknownError);
  clearTimeout(alive);
  const broken = source();
  const gone = watchSessionId(broken.stream, 1000);
  const r3 = gone.body.getReader();
  broken.controller.error(new Error("connection reset"));
  await assert.rejects(r3.read(), /connection reset/);
  await assert.rejects(gone.sessionId, SessionUnknownError);
});

/** An exchange whose recording decision is pending, with the rows it writes at hand. */
function pendingExchange() {
  const lines: string[] = [];
  const recorder = new Recorder({
    appendLines: (_signal, rows) => (lines.push(...rows), Promise.resolve()),
    flush: () => Promise.resolve(),
  }, { log: () => {} });
  let decide!: (record: boolean) => void;
  let settled = 0;
  const exchange = new Exchange(recorder, {
    upstream: "a",
    client: {},
    request: { method: "POST", path: "/v1/messages", headers: {} },
    requestBody: () => "{}",
    record: new Promise<boolean>((resolve) => decide = resolve),
    settle: () => settled++,
  });
  exchange.respond({ status: 200, headers: {}, stream: true, maxBodyBytes: 1024 });
  const sse = (n: number) => new TextEncoder().encode(`event: e${n}\ndata: {"n":${n}}\n\n`);
  return { exchange, recorder, lines, decide, sse, settled: () => settled };
}

test("an exchange holds its stream events until the session is known, then writes them in order", async () => {
  const p = pendingExchange();
  p.exchange.observe(p.sse(1));
  p.exchange.observe(p.sse(2));
  await p.recorder.flush();
  assert.deepEqual(p.lines, []);
  p.decide(true);
  await new Promise((resolve) => setTimeout(resolve, 0));
  p.exchange.observe(p.sse(3));
  p.exchange.finish();
  await p.recorder.flush();
  const rows = p.lines.map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.event ?? r.kind), ["e1", "e2", "e3", "exchange"]);
  assert.equal(rows[3].stream_event_count, 3);
  assert.equal(p.settled(), 0);
});

test("an exchange of an ignored session writes nothing, and one that ends first waits for the decision", async () => {
  const ignored = pendingExchange();
  ignored.exchange.observe(ignored.sse(1));
  ignored.exchange.finish();
  assert.equal(ignored.settled(), 1);
  ignored.decide(false);
  await ignored.recorder.flush();
  assert.deepEqual(ignored.lines, []);

  const late = pendingExchange();
  late.exchange.observe(late.sse(1));
  late.exchange.finish("client_aborted");
  const flushed = late.recorder.flush();
  late.decide(true);
  await flushed;
  const rows = late.lines.map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.event ?? r.kind), ["e1", "exchange"]);
  assert.equal(rows[1].error, "client_aborted");
});
