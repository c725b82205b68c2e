import assert from "node:assert/strict";
import net from "node:net";
import { test } from "node:test";
import { Http1Client } from "../../../server/proxy/upstream/http1_client.ts";
import { Changes } from "../../helpers/changes.ts";
import { parseHead } from "../../../server/proxy/upstream/response_head.ts";
import { proxiedByEnv } from "../../../server/proxy/upstream/select.ts";
import type { UpstreamRequest } from "../../../server/proxy/upstream/types.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** One request as the raw server read it: head text and body bytes (a chunked body de-chunked). */
interface Received {
  head: string;
  body: Uint8Array;
  connection: number;
}

/**
 * A raw TCP upstream: it parses each request (Content-Length or chunked body) and answers with whatever bytes
 * `answer` returns, written in pieces of `piece` bytes (1 = byte by byte). Returning a function instead lets the
 * test write to the socket itself.
 */
async function rawServer(
  answer: (request: Received, n: number) => string | Uint8Array | ((socket: net.Socket) => void),
  piece = 1 << 20,
) {
  const received: Received[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  let closed = 0;
  /** A connection opened or closed, a request received. */
  const changes = new Changes();
  const changed = () => changes.notify();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => {
      sockets.delete(socket);
      closed++;
      changed();
    });
    socket.on("error", () => {});
    const connection = ++connections;
    changed();
    let buffer = new Uint8Array(0);
    socket.on("data", (data: Uint8Array) => {
      const joined = new Uint8Array(buffer.length + data.length);
      joined.set(buffer);
      joined.set(data, buffer.length);
      buffer = joined;
      for (;;) {
        const request = takeRequest(buffer);
        if (!request) return;
        buffer = buffer.subarray(request.used);
        const got = { head: request.head, body: request.body, connection };
        received.push(got);
        changed();
        const reply = answer(got, received.length);
        if (typeof reply === "function") reply(socket);
        else {
          const bytes = typeof reply === "string" ? latin1(reply) : reply;
          for (let at = 0; at < bytes.length; at += piece) socket.write(bytes.subarray(at, at + piece));
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    origin: new URL(`http://127.0.0.1:${port}`),
    received,
    get connections() {
      return connections;
    },
    /** Connections closed so far (by either side). */
    get closed() {
      return closed;
    },
    /** Resolves once `check` holds, re-checked at each change of the server; fails after 5 s saying `what`. */
    until: (check: () => boolean, what: string) => changes.until(check, what),
    /** Closes every open connection from the server's side at once; resolves when they are closed. */
    drop(): Promise<void> {
      const target = closed + sockets.size;
      for (const socket of sockets) socket.destroy();
      return this.until(() => closed >= target, "the connections were closed");
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

function takeRequest(buffer: Uint8Array): { head: string; body: Uint8Array; used: number } | undefined {
  const text = new TextDecoder("latin1").decode(buffer);
  const end = text.indexOf("\r\n\r\n");
  if (end < 0) return undefined;
  const head = text.slice(0, end);
  let at = end + 4;
  const length = /\r\ncontent-length: (\d+)/i.exec(head);
  if (length) {
    const n = Number(length[1]);
    if (buffer.length < at + n) return undefined;
    return { head, body: buffer.slice(at, at + n), used: at + n };
  }
  if (/\r\ntransfer-encoding: chunked/i.test(head)) {
    const parts: number[] = [];
    for (;;) {
      const lineEnd = text.indexOf("\r\n", at);
      if (lineEnd < 0) return undefined;
      const size = parseInt(text.slice(at, lineEnd), 16);
      if (size === 0) {
        if (text.length < lineEnd + 4) return undefined;
        return { head, body: Uint8Array.from(parts), used: lineEnd + 4 };
      }
      if (buffer.length < lineEnd + 2 + size + 2) return undefined;
      parts.push(...buffer.subarray(lineEnd + 2, lineEnd + 2 + size));
      at = lineEnd + 2 + size + 2;
    }
  }
  return { head, body: new Uint8Array(0), used: at };
}

function post(origin: URL, body: UpstreamRequest["body"] = enc.encode('{"a":1}'), extra = {}): UpstreamRequest {
  return {
    origin,
    path: "/v1/messages?beta=true",
    method: "POST",
    headers: [["content-type", "application/json"], ["x-api-key", "sk-1"]],
    body,
    signal: new AbortController().signal,
    ...extra,
  };
}

async function readAll(client: Http1Client, request: UpstreamRequest) {
  const response = await client.request(request);
  const body = response.body ? dec.decode(await response.body.bytes()) : null;
  return { response, body };
}

test("http1 client: request head and body as sent, a Content-Length answer, the connection reused", async () => {
  const server = await rawServer(() =>
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
  );
  const client = new Http1Client();
  try {
    for (let i = 0; i < 3; i++) {
      const { response, body } = await readAll(client, post(server.origin));
      assert.equal(response.status, 200);
      assert.equal(response.statusText, "OK");
      assert.equal(response.headers.get("content-type"), "application/json");
      assert.equal(body, "{}");
    }
    assert.equal(server.connections, 1);
    assert.equal(
      server.received[0].head,
      `POST /v1/messages?beta=true HTTP/1.1\r\nhost: ${server.origin.host}\r\ncontent-type: application/json\r\n` +
        "x-api-key: sk-1\r\ncontent-length: 7",
    );
    assert.equal(dec.decode(server.received[0].body), '{"a":1}');
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: a chunked answer with extensions and trailers, delivered byte by byte", async () => {
  const answer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\ncontent-type: text/event-stream\r\n\r\n" +
    "5;ext=1\r\nevent\r\n0B\r\n: ping\n\ndat\r\n0\r\nx-trailer: t\r\n\r\n";
  const server = await rawServer(() => answer, 1);
  const client = new Http1Client();
  try {
    const response = await client.request(post(server.origin));
    const chunks: string[] = [];
    for (let c; (c = await response.body!.read()) !== null;) chunks.push(dec.decode(c));
    assert.equal(chunks.join(""), "event: ping\n\ndat");
    // Read to its last chunk and trailers: the connection serves the next request.
    assert.equal((await readAll(client, post(server.origin))).body, "event: ping\n\ndat");
    assert.equal(server.connections, 1);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: an answer without length ends when the upstream closes, and that connection is not reused", async () => {
  const server = await rawServer(() => (socket) =>
    socket.end("HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\n\r\nall of it")
  );
  const client = new Http1Client();
  try {
    assert.equal((await readAll(client, post(server.origin))).body, "all of it");
    assert.equal((await readAll(client, post(server.origin))).body, "all of it");
    assert.equal(server.connections, 2);
    assert.equal(client.idleConnections, 0);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: HEAD, 204 and 304 have no body; 100 Continue is skipped", async () => {
  const server = await rawServer((request) => {
    if (request.head.startsWith("HEAD")) return "HTTP/1.1 200 OK\r\ncontent-length: 42\r\n\r\n";
    if (request.head.startsWith("PUT")) return "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\nx-a: 1\r\n\r\n";
    return "HTTP/1.1 304 Not Modified\r\netag: x\r\n\r\n";
  });
  const client = new Http1Client();
  try {
    const head = await client.request({ ...post(server.origin, null), method: "HEAD" });
    assert.equal(head.body, null);
    assert.equal(head.headers.get("content-length"), "42");
    const put = await client.request({ ...post(server.origin), method: "PUT" });
    assert.equal(put.status, 204);
    assert.equal(put.headers.get("x-a"), "1");
    assert.equal(put.body, null);
    const get = await client.request({ ...post(server.origin, null), method: "GET" });
    assert.equal(get.status, 304);
    assert.equal(get.body, null);
    assert.equal(server.connections, 1);
    // A bodiless POST says its length is 0; a bodiless GET says nothing.
    assert.doesNotMatch(server.received[2].head, /content-length/);
    await client.request({ ...post(server.origin, null) });
    assert.match(server.received[3].head, /\r\ncontent-length: 0$/);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: a GET that meets a pooled connection the upstream just closed is sent once more", async () => {
  const server = await rawServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok");
  const client = new Http1Client();
  try {
    assert.equal((await readAll(client, post(server.origin))).body, "ok");
    assert.equal(client.idleConnections, 1);
    // Closed by the upstream in the same turn as the next request is made: the client cannot have seen it yet.
    const dropped = server.drop();
    assert.equal((await readAll(client, { ...post(server.origin, null), method: "GET" })).body, "ok");
    await dropped;
    assert.equal(server.received.length, 2);
    assert.equal(server.connections, 2);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: Connection: close and HTTP/1.0 answers end their connection; keep-alive timeout is honoured", async () => {
  const answers = [
    "HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\na",
    "HTTP/1.0 200 OK\r\ncontent-length: 1\r\n\r\nb",
    "HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 1\r\n\r\nc",
  ];
  const server = await rawServer((_r, n) => answers[n - 1]);
  const client = new Http1Client();
  try {
    assert.equal((await readAll(client, post(server.origin))).body, "a");
    assert.equal(client.idleConnections, 0);
    assert.equal((await readAll(client, post(server.origin))).body, "b");
    assert.equal(client.idleConnections, 0);
    // timeout=1 leaves no margin under the one second the ctvs side keeps: not pooled.
    assert.equal((await readAll(client, post(server.origin))).body, "c");
    assert.equal(client.idleConnections, 0);
    assert.equal(server.connections, 3);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: a stream body goes out chunked, whole", async () => {
  const server = await rawServer((request) =>
    `HTTP/1.1 200 OK\r\ncontent-length: ${request.body.length}\r\n\r\n` + dec.decode(request.body)
  );
  const client = new Http1Client();
  try {
    const parts = ["one,", "", "two,", "three"];
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = parts.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(enc.encode(next));
      },
    });
    assert.equal((await readAll(client, post(server.origin, body))).body, "one,two,three");
    assert.match(server.received[0].head, /\r\ntransfer-encoding: chunked$/);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: header values keep their bytes both ways; response names are lowercased, repeats kept", async () => {
  const server = await rawServer(() =>
    "HTTP/1.1 200 OK\r\nX-Note: cr\u00e8me\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\ncontent-length: 0\r\n\r\n"
  );
  const client = new Http1Client();
  try {
    const response = await client.request(post(server.origin, null, { headers: [["x-name", "caf\u00e9"]] }));
    assert.match(server.received[0].head, /\r\nx-name: caf\u00e9\r\n/);
    const seen: [string, string][] = [];
    response.headers.forEach((value, name) => seen.push([name, value]));
    assert.deepEqual(seen, [["x-note", "cr\u00e8me"], ["set-cookie", "a=1"], ["set-cookie", "b=2"], [
      "content-length",
      "0",
    ]]);
    assert.equal(response.headers.get("set-cookie"), "a=1, b=2");
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: malformed answers and refused connections reject with a message that says so", async () => {
  const server = await rawServer((_r, n) =>
    ["SMTP ready\r\n\r\n", "HTTP/1.1 200 OK\r\ncontent-length: x\r\n\r\n", "HTTP/1.1 200 OK\r\nbroken\r\n\r\n"][n - 1]
  );
  const client = new Http1Client();
  try {
    await assert.rejects(client.request(post(server.origin)), /malformed response from upstream: "SMTP ready"/);
    await assert.rejects(client.request(post(server.origin)), /invalid content-length: x/);
    await assert.rejects(client.request(post(server.origin)), /malformed response header from upstream: "broken"/);
  } finally {
    client.close();
    await server.close();
  }
  await assert.rejects(client.request(post(server.origin)), /refused/i);
});

test("http1 client: a client abort drops the upstream connection while the answer is awaited", async () => {
  const server = await rawServer(() => () => {}); // never answers
  const client = new Http1Client();
  try {
    const abort = new AbortController();
    const pending = client.request(post(server.origin, undefined, { signal: abort.signal }));
    await server.until(() => server.received.length === 1, "the request arrived");
    abort.abort();
    await assert.rejects(pending);
    await server.until(() => server.closed === 1, "the upstream connection was closed");
  } finally {
    client.close();
    await server.close();
  }
});

test("parseHead folds obsolete continuation lines and reads keep-alive", () => {
  const head = parseHead(
    "HTTP/1.1 200 OK\r\nx-long: a\r\n  b\r\nKeep-Alive: timeout=5, max=100\r\nConnection: keep-alive",
  );
  assert.equal(head.headers.get("x-long"), "a b");
  assert.equal(head.keepAlive, true);
  assert.equal(head.idleTimeoutMs, 5000);
  assert.equal(parseHead("HTTP/1.1 502 \r\nconnection: Close").keepAlive, false);
});

test("proxiedByEnv: HTTPS_PROXY and HTTP_PROXY by scheme, ALL_PROXY for both, NO_PROXY exempts hosts", () => {
  const anthropic = new URL("https://api.anthropic.com");
  const local = new URL("http://127.0.0.1:9000");
  assert.equal(proxiedByEnv(anthropic, {}), false);
  assert.equal(proxiedByEnv(anthropic, { HTTPS_PROXY: "http://corp:3128" }), true);
  assert.equal(proxiedByEnv(anthropic, { https_proxy: "http://corp:3128" }), true);
  assert.equal(proxiedByEnv(anthropic, { HTTP_PROXY: "http://corp:3128" }), false);
  assert.equal(proxiedByEnv(local, { ALL_PROXY: "http://corp:3128" }), true);
  assert.equal(proxiedByEnv(anthropic, { HTTPS_PROXY: "http://c", NO_PROXY: "localhost,.anthropic.com" }), false);
  assert.equal(proxiedByEnv(anthropic, { HTTPS_PROXY: "http://c", no_proxy: "*" }), false);
  assert.equal(proxiedByEnv(anthropic, { HTTPS_PROXY: "http://c", NO_PROXY: "openai.com" }), true);
});

test("http1 client: an answer that comes before the request body was sent whole does not leave its connection pooled", async () => {
  let connections = 0;
  const server = net.createServer((socket) => {
    connections++;
    socket.on("error", () => {});
    socket.once("data", () => socket.write("HTTP/1.1 413 Payload Too Large\r\ncontent-length: 4\r\n\r\nbig!"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = new URL(`http://127.0.0.1:${(server.address() as net.AddressInfo).port}`);
  const client = new Http1Client();
  try {
    let sent = 0;
    let goOn!: () => void;
    const rest = new Promise<void>((resolve) => goOn = resolve);
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent++ === 3) return controller.close();
        // The rest of the body comes only once the whole answer was read.
        if (sent > 1) await rest;
        controller.enqueue(enc.encode("part"));
      },
    });
    const { response, body: text } = await readAll(client, post(origin, body));
    assert.equal(response.status, 413);
    assert.equal(text, "big!");
    goOn();
    assert.equal(client.idleConnections, 0);
  } finally {
    client.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  assert.equal(connections, 1);
});

test("http1 client: a POST the upstream received is never sent twice, even when its connection dies unanswered", async () => {
  // Requests 2 and 4 are taken, then their (pooled) connection is reset unanswered; the others are answered.
  const server = await rawServer((_r, n) =>
    n % 2 === 1 ? "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok" : (socket) => socket.resetAndDestroy()
  );
  const client = new Http1Client();
  try {
    assert.equal((await readAll(client, post(server.origin))).body, "ok");
    await assert.rejects(client.request(post(server.origin)));
    assert.equal(server.received.length, 2);
    // A GET may go again: the same failure is retried once, on a new connection.
    assert.equal((await readAll(client, post(server.origin))).body, "ok");
    assert.equal((await readAll(client, { ...post(server.origin, null), method: "GET" })).body, "ok");
    assert.equal(server.received.length, 5);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: an idle connection the upstream closed, or sent stray bytes on, is closed at once and not used again", async () => {
  const answers = [
    "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\na",
    "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nb",
    "HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nc",
  ];
  let last!: net.Socket;
  const server = await rawServer((_r, n) => (socket) => {
    last = socket;
    socket.write(answers[n - 1]);
  });
  const client = new Http1Client({ idleMs: 60_000 }); // the sweep must not be what closes them
  try {
    // Once the client has pooled the connection, the upstream closes it after the first answer and sends garbage on
    // it after the second; the client drops it (its side closes too).
    const after = [() => last.end(), () => last.write("HTTP/1.1 200 OK\r\n")];
    for (const [i, expected] of ["a", "b", "c"].entries()) {
      assert.equal((await readAll(client, post(server.origin))).body, expected);
      if (i === 2) break;
      assert.equal(client.idleConnections, 1);
      after[i]();
      await server.until(() => server.closed === i + 1, `the client dropped connection ${i + 1}`);
    }
    assert.equal(server.received.length, 3);
    assert.equal(server.connections, 3);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: bytes left after an answer (a HEAD answered with a body) keep the connection out of the pool", async () => {
  const server = await rawServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\nbody");
  const client = new Http1Client();
  try {
    const head = await client.request({ ...post(server.origin, null), method: "HEAD" });
    assert.equal(head.body, null);
    assert.equal(client.idleConnections, 0);
    assert.equal((await readAll(client, post(server.origin))).body, "body");
    assert.equal(server.connections, 2);
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: a header a client could not pass on, a 101 or a status outside 100-599 is a malformed answer", async () => {
  const answers = [
    "HTTP/1.1 200 OK\r\nx-caf\u00e9: 1\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx-a: b\0c\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 101 Switching Protocols\r\nupgrade: h2c\r\n\r\n",
    "HTTP/1.1 999 Odd\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 099 Odd\r\ncontent-length: 0\r\n\r\n",
    "HTTP/1.1 200 OK\r\nx-a: ok\r\n a\nset-cookie: injected=1\r\ncontent-length: 0\r\n\r\n",
  ];
  const server = await rawServer((_r, n) => answers[n - 1]);
  const client = new Http1Client();
  try {
    await assert.rejects(client.request(post(server.origin)), /malformed response header from upstream: "x-caf/);
    await assert.rejects(client.request(post(server.origin)), /malformed response header from upstream: "x-a/);
    await assert.rejects(client.request(post(server.origin)), /unexpected status from upstream: 101/);
    await assert.rejects(client.request(post(server.origin)), /unexpected status from upstream: 999/);
    await assert.rejects(client.request(post(server.origin)), /unexpected status from upstream: 99/);
    // A folded continuation line is held to the same rule.
    await assert.rejects(
      client.request(post(server.origin)),
      /malformed response header from upstream: " a\\nset-cookie/,
    );
  } finally {
    client.close();
    await server.close();
  }
});

test("http1 client: a client that leaves while the connection is being opened stops the connect, sends nothing", async () => {
  const server = await rawServer(() => "HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
  // A connect that never completes by itself (a black-holed host) and gives up when its signal aborts.
  let connecting!: () => void;
  const connectStarted = new Promise<void>((resolve) => connecting = resolve);
  const client = new Http1Client({
    connect: (options) =>
      new Promise((_resolve, reject) => {
        connecting();
        options.signal?.addEventListener("abort", () => reject(new Error("connect aborted")));
      }),
  });
  try {
    const abort = new AbortController();
    const pending = client.request(post(server.origin, undefined, { signal: abort.signal }));
    await connectStarted;
    abort.abort();
    // Without the connect's own signal the request would wait for a connect that never ends.
    await assert.rejects(pending, /connect aborted/);
    assert.equal(server.connections, 0);
  } finally {
    client.close();
    await server.close();
  }
});
