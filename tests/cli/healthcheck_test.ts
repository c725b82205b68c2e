/**
 * `ctvs healthcheck`: against a real running collector (the config from COLLECTIVUS_CONFIG_JSON, as in the container
 * image), and in process against small servers for the Central `/health`, a failing answer and a silent one.
 */
import assert from "node:assert/strict";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "node:test";
import { healthUrl, runHealthcheck } from "../../cli/healthcheck.ts";
import { report } from "../../cli/main.ts";
import { ctvs, freePort, startCtvs, tempDir } from "../helpers/child.ts";
import { captureIo } from "../platform/daemon/_fake_host.ts";

/** A server answering `handler`; closed by the returned function. */
async function server(handler: http.RequestListener): Promise<{ port: number; close(): Promise<void> }> {
  const s = http.createServer(handler);
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  return {
    port: (s.address() as AddressInfo).port,
    close: () => {
      s.closeAllConnections();
      return new Promise((resolve) => s.close(() => resolve()));
    },
  };
}

async function check(argv: string[]) {
  const io = captureIo();
  let code: number;
  try {
    code = await runHealthcheck(argv, io);
  } catch (error) {
    code = report(error, io);
  }
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

test("healthUrl() asks a Central server's /health and a standalone host's OTLP (else proxy) banner, on loopback", () => {
  const server = { control_plane_listen: "0.0.0.0:8788", identity_issuer: { secret_env: "S" } };
  assert.equal(healthUrl({ version: 1, role: "server", server }), "http://127.0.0.1:8788/health");
  assert.equal(
    healthUrl({ version: 1, otel: { listen: "0.0.0.0:4318" }, proxy: { listen: "10.0.0.2:8787", upstreams: [] } }),
    "http://127.0.0.1:4318/",
  );
  assert.equal(healthUrl({ version: 1, proxy: { listen: "10.0.0.2:8787", upstreams: [] } }), "http://10.0.0.2:8787/");
  assert.equal(healthUrl({ version: 1, otel: { listen: "[::]:4318" } }), "http://[::1]:4318/");
  assert.equal(healthUrl({ version: 1, sink: { type: "file", dir: "/d" } }), undefined);
});

test("ctvs healthcheck is 0 while the collector of COLLECTIVUS_CONFIG_JSON runs, 1 once it stopped", async () => {
  const dir = await tempDir();
  const port = await freePort();
  const config = JSON.stringify({
    version: 1,
    otel: { listen: `0.0.0.0:${port}` },
    sink: { type: "file", dir: `${dir.dir}/rec` },
  });
  const env = { HOME: dir.dir, COLLECTIVUS_CONFIG_JSON: config };
  const child = startCtvs(["--pid-file", `${dir.dir}/ctvs.pid`], { env });
  try {
    await child.waitFor(/^OTLP listener bound on 0\.0\.0\.0:\d+/, 30_000);
    const healthy = await ctvs(["healthcheck"], { env });
    assert.deepEqual(healthy, { code: 0, stdout: `healthy: GET http://127.0.0.1:${port}/ answered 200`, stderr: "" });
  } finally {
    child.kill("SIGTERM");
    await child.exited;
  }
  const down = await ctvs(["healthcheck"], { env });
  assert.equal(down.code, 1);
  assert.match(down.stderr, new RegExp(`^unhealthy: GET http://127\\.0\\.0\\.1:${port}/ failed: .+`));
  await dir.remove();
});

test("ctvs healthcheck --url: 200 is healthy, 503 and silence are not, and the reason is printed", async () => {
  const ok = await server((req, res) => {
    res.writeHead(req.url === "/health" ? 200 : 503, { "content-type": "application/json" });
    res.end(req.url === "/health" ? '{"status":"ok","version":"0.1.0"}' : '{"error":"draining"}');
  });
  const silent = await server(() => {});
  try {
    assert.deepEqual(await check(["--url", `http://127.0.0.1:${ok.port}/health`]), {
      code: 0,
      stdout: `healthy: GET http://127.0.0.1:${ok.port}/health answered 200`,
      stderr: "",
    });
    assert.deepEqual(await check(["--url", `http://127.0.0.1:${ok.port}/other`]), {
      code: 1,
      stdout: "",
      stderr: `unhealthy: GET http://127.0.0.1:${ok.port}/other answered 503 {"error":"draining"}`,
    });
    const started = Date.now();
    assert.deepEqual(await check(["--url", `http://127.0.0.1:${silent.port}/health`, "--timeout", "0.3"]), {
      code: 1,
      stdout: "",
      stderr: `unhealthy: GET http://127.0.0.1:${silent.port}/health failed: no answer within 0.3 s`,
    });
    assert.ok(Date.now() - started < 5000);
  } finally {
    await ok.close();
    await silent.close();
  }
});

test("ctvs healthcheck: usage errors exit 2, a config without listeners exits 1", async () => {
  assert.equal((await check(["--url", "ftp://x"])).code, 2);
  assert.match((await check(["--timeout", "0"])).stderr, /^error: --timeout must be a positive number of seconds/);
  const dir = await tempDir();
  try {
    const result = await ctvs(["healthcheck", "--config-env", "CFG"], {
      env: { HOME: dir.dir, CFG: JSON.stringify({ version: 1, sink: { type: "file", dir: dir.dir } }) },
    });
    assert.deepEqual(result, {
      code: 1,
      stdout: "",
      stderr: "unhealthy: the config starts no listener to ask (no otel, proxy or server.control_plane_listen)",
    });
  } finally {
    await dir.remove();
  }
});
