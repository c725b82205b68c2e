import assert from "node:assert/strict";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Config } from "../../../platform/config/types.ts";
import { validateConfig } from "../../../platform/config/validate.ts";
import { Gateway } from "../../../server/gateway/gateway.ts";
import { otlpListenerFactory } from "../../../server/otlp/listener.ts";
import { until } from "../../helpers/until.ts";
import { GATEWAY_CONFIG, testCentral } from "../central/_central.ts";
import { centralFetch } from "./_gateway.ts";

const REGISTERED = { ...GATEWAY_CONFIG, otel: { listen: "127.0.0.1:0" } };

/**
 * A gateway with a real OTLP listener, started from `REGISTERED` (without a poll interval, as a config file may be)
 * against an in-memory Central that vends `vended`; resolves once the first poll has been applied (the vended config
 * is kept after every applied poll, changed or not).
 */
async function startGateway(vended: unknown) {
  const central = await testCentral();
  await central.register("gw-1", vended);
  const state = path.join(central.dir, "gw");
  const identity = path.join(state, "identity.json");
  await mkdir(state, { recursive: true });
  // A persisted identity valid for ten days by the gateway's clock (Central's own clock is the test's).
  const expires = Math.floor(Date.now() / 1000) + 86_400 * 10;
  const jwt = await central.jwt("gw-1", { exp: central.clock.now + 86_400 * 10 });
  await writeFile(identity, JSON.stringify({ jwt, expires_at: expires, gateway_id: "gw-1" }));
  const out: string[] = [];
  const vendedPath = path.join(state, "gateway-config.json");
  const gateway = new Gateway({
    factories: [otlpListenerFactory],
    out: (line) => out.push(line),
    err: (line) => out.push(line),
    fetch: centralFetch(central).fetch,
    vendedConfigPath: vendedPath,
  });
  const running: Config = validateConfig({
    ...REGISTERED,
    central_server: { ...REGISTERED.central_server, identity: { persisted_path: identity } },
  }).config;
  await gateway.start(running);
  await until("the first poll is applied", () => stat(vendedPath).then(() => true, () => false));
  return {
    out,
    vendedPath,
    async close() {
      await gateway.stop(5000);
      await central.close();
    },
  };
}

test("a gateway whose vended config is the one it runs prints nothing on its first poll and restarts nothing", async () => {
  const gateway = await startGateway(REGISTERED);
  try {
    assert.deepEqual(gateway.out.map((line) => line.replace(/127\.0\.0\.1:\d+/, "127.0.0.1:<port>")), [
      "Identity loaded for gw-1",
      `OTLP listener bound on 127.0.0.1:<port>, spooling to ${path.join(path.dirname(gateway.vendedPath), "outbox")}` +
      "/<signal> for Central ingest",
      "Config poll loop active (http://central.test:8788/v1/config every 30s)",
    ]);
    const kept = JSON.parse(await readFile(gateway.vendedPath, "utf8"));
    assert.equal(kept.config.central_server.poll_interval_seconds, 30);
  } finally {
    await gateway.close();
  }
});

test("a gateway applies a vended config that differs from the one it runs", async () => {
  const gateway = await startGateway({ ...REGISTERED, otel: { listen: "127.0.0.1:0", max_body_bytes: 1024 } });
  try {
    const applied = gateway.out.slice(3);
    assert.equal(applied[0], "config poll: applying the config vended by Central");
    assert.ok(applied.includes("local reload: stopped otel"), applied.join("\n"));
    assert.ok(applied.some((line) => line.startsWith("OTLP listener bound on 127.0.0.1:")), applied.join("\n"));
  } finally {
    await gateway.close();
  }
});
