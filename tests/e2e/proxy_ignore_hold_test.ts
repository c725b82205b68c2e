/**
 * An ignored session is never recorded by a real `ctvs`, also when its request body is over the record limit (so its
 * session id, at the end of the body, is found as the body streams) and the exchange ends before the body does: the
 * upstream answered early (an API front end refusing a body over its limit), or the client broke off mid-body.
 */
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { test } from "node:test";
import { startProxy, tempDir } from "../helpers/child.ts";

/** Sends the head and the first 50,000 bytes, waits for the answer, then sends the rest or breaks off. */
async function send(port: number, bytes: Uint8Array, rest: "send" | "break"): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    const head = `POST /v1/messages HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `content-length: ${bytes.byteLength}\r\n\r\n`;
    await conn.write(new TextEncoder().encode(head));
    await conn.write(bytes.subarray(0, 50_000));
    const buffer = new Uint8Array(4096);
    let answer = "";
    while (!answer.includes("too large")) {
      const n = await conn.read(buffer);
      if (n === null) break;
      answer += new TextDecoder().decode(buffer.subarray(0, n));
    }
    if (rest === "send") {
      for (let at = 50_000; at < bytes.byteLength; at += 50_000) await conn.write(bytes.subarray(at, at + 50_000));
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return answer.split("\r\n")[0];
  } finally {
    conn.close();
  }
}

test("ctvs never records an ignored session answered before its long body ends, or whose client breaks off", async () => {
  // Answers 413 as soon as it has the head, then takes whatever still comes.
  const upstream = http.createServer((req, res) => {
    res.writeHead(413, { "content-type": "application/json" }).end('{"error":"too large"}');
    req.resume();
  });
  await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
  const tmp = await tempDir();
  try {
    const config = path.join(tmp.dir, "collectivus.json");
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
    await writeFile(
      config,
      JSON.stringify({
        version: 1,
        gateway_id: "e2e",
        proxy: {
          listen: "127.0.0.1:0",
          max_record_body_bytes: 1024,
          upstreams: [{ name: "anthropic", base_url: base, match: { path_prefix: "/" } }],
        },
        sink: { type: "file", dir: path.join(tmp.dir, "data") },
      }),
    );
    const { ctvs, url } = await startProxy(config, { HOME: tmp.dir });
    const address = url.slice("http://".length);
    const port = Number(address.split(":").at(-1));
    const ignore = await fetch(`http://${address}/_collectivus/ignore/session`, {
      method: "POST",
      body: JSON.stringify({ session_id: "s-ignored" }),
    });
    assert.equal(ignore.status, 200);
    await ignore.body?.cancel();
    // Claude Code puts metadata after the messages: far beyond the first 1024 bytes the recorder keeps.
    const body = (sessionId: string, prompt: string) =>
      new TextEncoder().encode(JSON.stringify({
        model: "claude-x",
        messages: [{ role: "user", content: `${prompt} ${"x".repeat(200_000)}` }],
        metadata: { user_id: JSON.stringify({ device_id: "d", session_id: sessionId }) },
      }));
    const refused = "HTTP/1.1 413 Payload Too Large";
    assert.equal(await send(port, body("s-ignored", "IGNORED-A"), "send"), refused);
    assert.equal(await send(port, body("s-ignored", "IGNORED-B"), "break"), refused);
    // Deno's server closes a connection whose request body was not read to its end when the answer went out: the rest
    // of the body, and the session id in it, never comes. Such an exchange could be an ignored session's: not recorded.
    assert.equal(await send(port, body("s-recorded", "UNKNOWN-C"), "send"), refused);
    assert.equal(await send(port, body("s-recorded", "UNKNOWN-D"), "break"), refused);
    // A request whose session is known is recorded as ever.
    const known = await fetch(`http://${address}/v1/messages`, {
      method: "POST",
      body: JSON.stringify({ messages: [{ role: "user", content: "KNOWN-E" }] }),
    });
    assert.equal(known.status, 413);
    await known.body?.cancel();
    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    const file = path.join(tmp.dir, "data", "e2e", "proxy", `${new Date().toISOString().slice(0, 10)}.jsonl`);
    const rows = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((r) => [r.kind, r.response.status, /"content":"([A-Z]+-[A-Z])/.exec(r.request.body)?.[1]]),
      [
        ["exchange", 413, "KNOWN-E"],
      ],
    );
  } finally {
    await tmp.remove();
    await new Promise((resolve) => upstream.close(resolve));
  }
});
