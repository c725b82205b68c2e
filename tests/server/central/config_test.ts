import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { bearer, GATEWAY_CONFIG, testCentral } from "./_central.ts";

test("GET /v1/config serves the gateway's own config, chosen by its JWT, with a quoted ETag", async () => {
  const central = await testCentral();
  try {
    const etag = await central.register("gw-1");
    await central.register("gw-2", { ...GATEWAY_CONFIG, proxy: undefined, otel: { listen: "0.0.0.0:4318" } });
    const file = path.join(central.dir, "configs", "gw-1.json");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    // Canonical JSON on disk: sorted keys, no whitespace.
    const text = await readFile(file, "utf8");
    assert.equal(text, JSON.stringify(JSON.parse(text)));
    assert.ok(text.indexOf('"central_server"') < text.indexOf('"otel"'));

    const response = await central.app.request("/v1/config?gateway_id=gw-2", {
      headers: bearer(await central.jwt("gw-1")),
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("etag"), `"${etag}"`);
    assert.match(etag, /^[0-9a-f]{64}$/);
    assert.deepEqual(await response.json(), GATEWAY_CONFIG);
  } finally {
    await central.close();
  }
});

test("GET /v1/config answers 304 to every If-None-Match form that matches, 200 otherwise", async () => {
  const central = await testCentral();
  try {
    const etag = await central.register("gw-1");
    const jwt = await central.jwt("gw-1");
    const ask = (value: string) =>
      central.app.request("/v1/config", { headers: { ...bearer(jwt), "if-none-match": value } });
    for (const value of [`"${etag}"`, `W/"${etag}"`, etag, `"other", W/"${etag}"`, "*", ` "x" ,  "${etag}" `]) {
      const response = await ask(value);
      assert.equal(response.status, 304, value);
      assert.equal(response.headers.get("etag"), `"${etag}"`);
      assert.equal(await response.text(), "");
    }
    for (const value of [`"${etag.slice(1)}"`, `W/"other"`, ""]) {
      assert.equal((await ask(value)).status, 200, value);
    }
    // A changed config has a new ETag: the old one no longer matches.
    const changed = await central.register("gw-1", { ...GATEWAY_CONFIG, otel: { listen: "127.0.0.1:9999" } });
    assert.notEqual(changed, etag);
    assert.equal((await ask(`"${etag}"`)).status, 200);
  } finally {
    await central.close();
  }
});

test("GET /v1/config: 404 without a registered config (deleted = revoked), 401 without a valid JWT", async () => {
  const central = await testCentral();
  try {
    await central.register("gw-1");
    await central.context.registry.delete("gw-1");
    const missing = await central.app.request("/v1/config", { headers: bearer(await central.jwt("gw-1")) });
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "no config registered for this gateway" });
    const anonymous = await central.app.request("/v1/config");
    assert.equal(anonymous.status, 401);
    assert.deepEqual(await anonymous.json(), { error: "unauthorized", reason: "missing bearer token" });
    const expired = await central.app.request("/v1/config", {
      headers: bearer(await central.jwt("gw-1", { iat: 1, exp: 2 })),
    });
    assert.deepEqual(await expired.json(), { error: "unauthorized", reason: "expired" });
    assert.equal((await central.app.request("/v1/config", { method: "PUT" })).status, 405);
  } finally {
    await central.close();
  }
});

test("GET /v1/bootstrap-config vends the registered config with the token and URL, without using the token", async () => {
  const central = await testCentral({ public_url: "https://central.example.com:8788/" });
  try {
    await central.register("gw-1");
    const { token } = await central.context.tokens!.issue("gw-1");
    for (const query of [`token=${token}`, `bootstrap_token=${token}`]) {
      const response = await central.app.request(`/v1/bootstrap-config?${query}`);
      assert.equal(response.status, 200);
      assert.equal(response.headers.get("cache-control"), "no-store");
      assert.deepEqual(await response.json(), {
        ...GATEWAY_CONFIG,
        central_server: { url: "https://central.example.com:8788", identity: { bootstrap_token: token } },
      });
    }
    // Still usable for the identity bootstrap.
    assert.equal((await central.context.tokens!.consume(token)).gatewayId, "gw-1");
    const used = await central.app.request(`/v1/bootstrap-config?token=${token}`);
    assert.equal(used.status, 401);
    assert.deepEqual(await used.json(), { error: "invalid bootstrap token", reason: "already_used" });
  } finally {
    await central.close();
  }
});

test("GET /v1/bootstrap-config without a registered config vends a starter, its URL from the request", async () => {
  const central = await testCentral();
  try {
    const { token } = await central.context.tokens!.issue("gw-new");
    const starter = {
      version: 1,
      role: "gateway",
      central_server: { url: "https://ctvs.example.org", identity: { bootstrap_token: token } },
    };
    const forwarded = await central.app.request(`http://10.0.0.5:8788/v1/bootstrap-config?token=${token}`, {
      headers: { "x-forwarded-proto": "https", "x-forwarded-host": "ctvs.example.org" },
    });
    assert.deepEqual(await forwarded.json(), starter);
    const direct = await central.app.request(`http://10.0.0.5:8788/v1/bootstrap-config?token=${token}`);
    assert.equal((await direct.json()).central_server.url, "http://10.0.0.5:8788");
  } finally {
    await central.close();
  }
});

test("GET /v1/bootstrap-config: 400 without a token, 401 for bad ones, 503 without a store", async () => {
  const central = await testCentral();
  try {
    const none = await central.app.request("/v1/bootstrap-config");
    assert.equal(none.status, 400);
    assert.deepEqual(await none.json(), { error: "token is required" });
    const unknown = await central.app.request("/v1/bootstrap-config?token=bt_unknown");
    assert.deepEqual(await unknown.json(), { error: "invalid bootstrap token", reason: "unknown_token" });
    const { token } = await central.context.tokens!.issue("gw-1", 10);
    central.clock.now += 10;
    const expired = await central.app.request(`/v1/bootstrap-config?token=${token}`);
    assert.equal(expired.status, 401);
    assert.deepEqual(await expired.json(), { error: "invalid bootstrap token", reason: "expired" });
  } finally {
    await central.close();
  }
  const unprovisioned = await testCentral({ identity_issuer: { secret: "s".repeat(32) } });
  try {
    const response = await unprovisioned.app.request("/v1/bootstrap-config?token=bt_x");
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: "bootstrap not provisioned" });
  } finally {
    await unprovisioned.close();
  }
});

test("bootstrap tokens: concurrent uses of one token let exactly one through; revoke drops unused ones", async () => {
  const central = await testCentral();
  try {
    const tokens = central.context.tokens!;
    const { token } = await tokens.issue("gw-1");
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => tokens.consume(token)));
    assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
    for (const r of results.filter((r) => r.status === "rejected")) {
      assert.equal((r as PromiseRejectedResult).reason.reason, "already_used");
    }
    const unused = await Promise.all([tokens.issue("gw-1"), tokens.issue("gw-1"), tokens.issue("gw-2")]);
    assert.equal(await tokens.revoke("gw-1"), 2);
    await assert.rejects(tokens.consume(unused[0].token), { reason: "unknown_token" });
    assert.equal((await tokens.consume(unused[2].token)).gatewayId, "gw-2");
    assert.equal(await tokens.revoke("gw-1"), 0);
  } finally {
    await central.close();
  }
});
