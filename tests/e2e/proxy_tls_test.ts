/**
 * An https upstream, as api.anthropic.com and api.openai.com are: a `ctvs` process reaches it over TLS with the
 * certificate checked against the runtime's roots (here the test CA, handed over with DENO_CERT), and refuses
 * one it cannot verify with a 502 that says why.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import https from "node:https";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { ROOT, startProxy, tempDir } from "../helpers/child.ts";

const TLS = path.join(ROOT, "tests", "fixtures", "tls");

/** An https upstream (certificate for localhost and 127.0.0.1, signed by the test CA) that echoes what it got. */
async function httpsUpstream() {
  const seen: { httpVersion: string; host?: string; body: string }[] = [];
  const server = https.createServer({
    cert: readFileSync(path.join(TLS, "server.pem")),
    key: readFileSync(path.join(TLS, "server.key")),
  }, (req, res) => {
    let body = "";
    req.setEncoding("utf8").on("data", (chunk) => body += chunk).on("end", () => {
      seen.push({ httpVersion: req.httpVersion, host: req.headers.host, body });
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ id: "msg_tls", echoed: body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    seen,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function proxyTo(dir: string, port: number, env: Record<string, string>) {
  const config = path.join(dir, "config.json");
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "tls",
      proxy: {
        listen: "127.0.0.1:0",
        upstreams: [{ name: "secure", base_url: `https://localhost:${port}`, match: { path_prefix: "/v1" } }],
      },
      sink: { type: "file", dir: path.join(dir, "data") },
    }),
  );
  return await startProxy(config, { HOME: dir, ...env });
}

async function recorded(dir: string) {
  const file = path.join(dir, "data", "tls", "proxy", `${new Date().toISOString().slice(0, 10)}.jsonl`);
  return (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

test("an https upstream is reached over TLS (HTTP/1.1, host header of the upstream) and recorded", async () => {
  const upstream = await httpsUpstream();
  const tmp = await tempDir();
  try {
    const { ctvs, url } = await proxyTo(tmp.dir, upstream.port, { DENO_CERT: path.join(TLS, "ca.pem") });
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${url}/v1/messages`, { method: "POST", body: `{"n":${i}}` });
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), { id: "msg_tls", echoed: `{"n":${i}}` });
    }
    assert.deepEqual(upstream.seen.map((s) => [s.httpVersion, s.host]), [
      ["1.1", `localhost:${upstream.port}`],
      ["1.1", `localhost:${upstream.port}`],
    ]);
    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    const rows = await recorded(tmp.dir);
    assert.deepEqual(rows.map((r) => [r.upstream, r.response.status, r.request.body]), [
      ["secure", 200, '{"n":0}'],
      ["secure", 200, '{"n":1}'],
    ]);
  } finally {
    await upstream.close();
    await tmp.remove();
  }
});

test("an https upstream whose certificate cannot be verified gets a 502 that says so, recorded", async () => {
  const upstream = await httpsUpstream();
  const tmp = await tempDir();
  try {
    const { ctvs, url } = await proxyTo(tmp.dir, upstream.port, {});
    const response = await fetch(`${url}/v1/messages`, { method: "POST", body: "{}" });
    assert.equal(response.status, 502);
    const body = await response.json();
    assert.equal(body.error, "upstream connection failed");
    assert.match(body.detail, /certificate|UnknownIssuer/i);
    assert.equal(upstream.seen.length, 0);
    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    const [row] = await recorded(tmp.dir);
    assert.equal(row.response.status, 502);
    assert.equal(row.error, body.detail);
  } finally {
    await upstream.close();
    await tmp.remove();
  }
});
