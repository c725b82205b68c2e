import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { bearer, from, GATEWAY_CONFIG, testCentral } from "./_central.ts";

const post = (body: unknown, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body: typeof body === "string" ? body : JSON.stringify(body),
});

test("GET /health answers status and version; other methods 405, unknown paths 404", async () => {
  const central = await testCentral();
  try {
    const health = await central.app.request("/health");
    assert.equal(health.status, 200);
    assert.deepEqual(Object.keys(await health.json()), ["status", "version"]);
    const wrong = await central.app.request("/health", { method: "POST" });
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "GET");
    assert.deepEqual(await wrong.json(), { error: "method not allowed" });
    const missing = await central.app.request("/v1/nothing");
    assert.equal(missing.status, 404);
    assert.deepEqual(await missing.json(), { error: "not found" });
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/bootstrap exchanges a token once for a JWT; a replay is already_used", async () => {
  const central = await testCentral();
  try {
    const { token, expiresAt } = await central.context.tokens!.issue("gw-1", 600);
    assert.equal(expiresAt, central.clock.now + 600);
    const store = path.join(central.dir, "bootstrap.json");
    assert.equal((await stat(store)).mode & 0o777, 0o600);
    // Only the hash is stored.
    assert.equal((await readFile(store, "utf8")).includes(token), false);

    const response = await central.app.request(
      "/v1/identity/bootstrap",
      post({ bootstrap_token: token }),
      from("10.0.0.1"),
    );
    assert.equal(response.status, 200);
    const { jwt, expires_at } = await response.json();
    assert.equal(expires_at, central.clock.now + 30 * 24 * 3600);
    assert.deepEqual(await central.context.issuer.verify(jwt, central.clock.now), {
      sub: "gw-1",
      iat: central.clock.now,
      exp: expires_at,
    });

    const replay = await central.app.request(
      "/v1/identity/bootstrap",
      post({ bootstrap_token: token }),
      from("10.0.0.1"),
    );
    assert.equal(replay.status, 401);
    assert.deepEqual(await replay.json(), { error: "invalid bootstrap token", reason: "already_used" });
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/bootstrap refuses unknown and expired tokens, and bad bodies", async () => {
  const central = await testCentral();
  try {
    const ask = (body: unknown, ip = "10.0.0.2") => central.app.request("/v1/identity/bootstrap", post(body), from(ip));
    const unknown = await ask({ bootstrap_token: "bt_nope" });
    assert.equal(unknown.status, 401);
    assert.deepEqual(await unknown.json(), { error: "invalid bootstrap token", reason: "unknown_token" });

    const { token } = await central.context.tokens!.issue("gw-1", 60);
    central.clock.now += 61;
    const expired = await ask({ bootstrap_token: token });
    assert.deepEqual(await expired.json(), { error: "invalid bootstrap token", reason: "expired" });

    const missing = await ask({}, "10.0.0.3");
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), { error: "bootstrap_token is required" });
    const garbage = await ask("{not json", "10.0.0.3");
    assert.equal(garbage.status, 400);
    assert.deepEqual(await garbage.json(), { error: "invalid JSON body" });
    const big = await ask({ bootstrap_token: "x".repeat(5000) }, "10.0.0.4");
    assert.equal(big.status, 413);
    const get = await central.app.request("/v1/identity/bootstrap");
    assert.equal(get.status, 405);
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/bootstrap allows 5 requests a minute per client IP, then 429 with Retry-After", async () => {
  const central = await testCentral({}, { bootstrapLimit: undefined });
  try {
    // The limiter counts every request, good or bad.
    for (let i = 0; i < 5; i++) {
      const r = await central.app.request(
        "/v1/identity/bootstrap",
        post({ bootstrap_token: "bt_x" }),
        from("10.9.9.9"),
      );
      assert.equal(r.status, 401);
    }
    const limited = await central.app.request("/v1/identity/bootstrap", post({}), from("10.9.9.9"));
    assert.equal(limited.status, 429);
    const body = await limited.json();
    assert.equal(body.error, "rate limited");
    assert.ok(body.retry_after_seconds >= 1 && body.retry_after_seconds <= 60);
    assert.equal(limited.headers.get("retry-after"), String(body.retry_after_seconds));
    // Another client is not affected.
    const other = await central.app.request("/v1/identity/bootstrap", post({}), from("10.9.9.8"));
    assert.equal(other.status, 400);
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/bootstrap answers 503 when no bootstrap store is configured", async () => {
  const central = await testCentral({ identity_issuer: { secret: "s".repeat(32) } });
  try {
    const response = await central.app.request("/v1/identity/bootstrap", post({ bootstrap_token: "bt_x" }));
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: "bootstrap not provisioned" });
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/refresh renews a registered gateway's JWT, once a minute", async () => {
  const central = await testCentral();
  try {
    await central.register("gw-1");
    const jwt = await central.jwt("gw-1");
    central.clock.now += 100;
    const response = await central.app.request("/v1/identity/refresh", { method: "POST", headers: bearer(jwt) });
    assert.equal(response.status, 200);
    const renewed = await response.json();
    assert.equal(renewed.expires_at, central.clock.now + 30 * 24 * 3600);
    assert.equal((await central.context.issuer.verify(renewed.jwt, central.clock.now)).sub, "gw-1");

    const again = await central.app.request("/v1/identity/refresh", { method: "POST", headers: bearer(jwt) });
    assert.equal(again.status, 429);
    assert.equal((await again.json()).error, "rate limited");
    assert.ok(Number(again.headers.get("retry-after")) > 0);
  } finally {
    await central.close();
  }
});

test("POST /v1/identity/refresh refuses expired, forged, future and missing JWTs, and revoked gateways", async () => {
  const central = await testCentral();
  try {
    await central.register("gw-1");
    const refresh = (headers: Record<string, string>) =>
      central.app.request("/v1/identity/refresh", { method: "POST", headers });
    const reasons: [Record<string, string>, string][] = [
      [{}, "missing bearer token"],
      [bearer(await central.jwt("gw-1", { iat: central.clock.now - 7200, exp: central.clock.now - 3600 })), "expired"],
      [bearer(await central.jwt("gw-1", { iat: central.clock.now + 600 })), "iat_in_future"],
      [bearer("not.a.jwt!"), "malformed"],
    ];
    const good = await central.jwt("gw-1");
    const [h, p] = good.split(".");
    reasons.push([bearer(`${h}.${p}.${"A".repeat(43)}`), "bad_signature"]);
    for (const [headers, reason] of reasons) {
      const response = await refresh(headers);
      assert.equal(response.status, 401, reason);
      assert.equal(response.headers.get("www-authenticate"), "Bearer");
      assert.deepEqual(await response.json(), { error: "unauthorized", reason });
    }
    // Deleting the config revokes the gateway: its valid JWT no longer refreshes.
    await central.context.registry.delete("gw-1");
    const revoked = await refresh(bearer(good));
    assert.equal(revoked.status, 401);
    assert.deepEqual(await revoked.json(), { error: "unauthorized", reason: "no config registered for this gateway" });
  } finally {
    await central.close();
  }
});

test("a registered config is served only with a valid gateway config", async () => {
  const central = await testCentral();
  try {
    await assert.rejects(central.register("gw-1", { version: 1 }), /role "gateway"/);
    await assert.rejects(central.register("gw-1", { ...GATEWAY_CONFIG, otel: { lisen: "x" } }), /unknown key "lisen"/);
    await assert.rejects(central.register("../etc", GATEWAY_CONFIG), /invalid gateway-id/);
  } finally {
    await central.close();
  }
});
