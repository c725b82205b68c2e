/**
 * `POST /v1/enrollments/bootstrap-config`: a join code redeemed for a gateway config with a fresh one-shot bootstrap
 * token, the config registered for the new gateway, `<prefix>-<n>` for codes with several uses, and every refusal
 * (401 unknown, 410 expired, 409 used up, 400, 503, 429).
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { from, GATEWAY_CONFIG, testCentral } from "./_central.ts";
import { adminCentral } from "./_invites.ts";

async function setup(overrides: Parameters<typeof adminCentral>[0] = {}) {
  const t = await adminCentral(overrides);
  const redeem = (code: unknown, ip = "10.5.0.1") =>
    t.central.app.request("/v1/enrollments/bootstrap-config", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ join_code: code }),
    }, from(ip));
  const invite = async (body: Record<string, unknown>) => (await (await t.create(body)).json()).joinCode as string;
  return { ...t, redeem, invite };
}

test("a join code is redeemed for a starter gateway config with a fresh bootstrap token that bootstraps once", async () => {
  const t = await setup();
  try {
    const code = await t.invite({ gatewayPrefix: "laptop-ada", ttlSeconds: 7200 });
    const response = await t.redeem(code.toLowerCase());
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json();
    const token = body.config.central_server.identity.bootstrap_token;
    assert.match(token, /^bt_/);
    assert.deepEqual(body, {
      gateway_id: "laptop-ada",
      expires_at: t.central.clock.now + 7200,
      config: {
        version: 1,
        role: "gateway",
        central_server: { url: "https://central.example.com", identity: { bootstrap_token: token } },
        otel: { listen: "127.0.0.1:4318" },
        proxy: {
          listen: "127.0.0.1:8787",
          upstreams: [
            { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } },
            { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } },
          ],
        },
      },
    });
    // Registered for the new gateway (without the token), so it can poll and ship.
    const registered = await t.central.context.registry.get("laptop-ada");
    assert.deepEqual(registered?.config.central_server, { url: "https://central.example.com", identity: {} });
    assert.deepEqual(t.central.logs, ["enrollment: laptop-ada joined (use 1 of its invite)"]);

    const bootstrap = (ip: string) =>
      t.central.app.request("/v1/identity/bootstrap", {
        method: "POST",
        body: JSON.stringify({ bootstrap_token: token }),
      }, from(ip));
    const first = await bootstrap("10.5.0.9");
    assert.equal(first.status, 200);
    const { jwt } = await first.json();
    assert.equal((await t.central.context.issuer.verify(jwt, t.central.clock.now)).sub, "laptop-ada");
    assert.deepEqual(await (await bootstrap("10.5.0.9")).json(), {
      error: "invalid bootstrap token",
      reason: "already_used",
    });
  } finally {
    await t.close();
  }
});

test("a code used past maxUses: team-1, team-2, then 409; each use gets the config registered under the prefix", async () => {
  const t = await setup();
  try {
    const template = { ...GATEWAY_CONFIG, otel: { listen: "127.0.0.1:14318" } };
    await t.central.register("team", template);
    const code = await t.invite({ gatewayPrefix: "team", maxUses: 2 });
    const ids: string[] = [];
    const tokens: string[] = [];
    for (const ip of ["10.6.0.1", "10.6.0.2"]) {
      const response = await t.redeem(code, ip);
      assert.equal(response.status, 200);
      const body = await response.json();
      ids.push(body.gateway_id);
      tokens.push(body.config.central_server.identity.bootstrap_token);
      assert.deepEqual(body.config.otel, { listen: "127.0.0.1:14318" });
      assert.equal(body.config.central_server.url, "https://central.example.com", "pointed at this Central");
    }
    assert.deepEqual(ids, ["team-1", "team-2"]);
    assert.notEqual(tokens[0], tokens[1]);
    assert.deepEqual(await t.central.context.registry.list(), ["team", "team-1", "team-2"]);
    const records = await t.central.context.tokens!.list();
    assert.deepEqual(records.map((r) => [r.gatewayId, r.used]), [["team-1", false], ["team-2", false]]);

    const third = await t.redeem(code, "10.6.0.3");
    assert.equal(third.status, 409);
    assert.deepEqual(await third.json(), { error: "enrollment use limit reached" });
    assert.deepEqual(await t.central.context.registry.list(), ["team", "team-1", "team-2"], "no team-3");
    const [enrollment] = await t.central.context.enrollments.list();
    assert.equal(enrollment.usedCount, 2);
  } finally {
    await t.close();
  }
});

test("a host joining again keeps the config registered under its id", async () => {
  const t = await setup();
  try {
    const own = { ...GATEWAY_CONFIG, otel: { listen: "127.0.0.1:24318" } };
    await t.central.register("laptop-ada", own);
    const code = await t.invite({ gatewayPrefix: "laptop-ada" });
    const body = await (await t.redeem(code)).json();
    assert.deepEqual(body.config.otel, { listen: "127.0.0.1:24318" });
  } finally {
    await t.close();
  }
});

test("an expired code is 410 (its token would have lived at least 15 minutes); unknown 401; no code 400", async () => {
  const t = await setup();
  try {
    const code = await t.invite({ gatewayPrefix: "late", ttlSeconds: 600 });
    t.central.clock.now += 599;
    const lastSecond = await t.redeem(code, "10.7.0.1");
    assert.equal(lastSecond.status, 200);
    const { expires_at } = await lastSecond.json();
    assert.equal(expires_at, t.central.clock.now + 15 * 60, "at least 15 minutes for the token");

    const other = await t.invite({ gatewayPrefix: "later", ttlSeconds: 600 });
    t.central.clock.now += 600;
    const expired = await t.redeem(other, "10.7.0.2");
    assert.equal(expired.status, 410);
    assert.deepEqual(await expired.json(), { error: "enrollment expired" });

    for (const unknown of ["ZZZZZZZZZZ", "0000000000", "x"]) {
      const response = await t.redeem(unknown, "10.7.0.3");
      assert.equal(response.status, 401, unknown);
      assert.deepEqual(await response.json(), { error: "invalid enrollment key" });
    }
    for (const missing of [undefined, "", 42]) {
      const response = await t.redeem(missing, "10.7.0.4");
      assert.equal(response.status, 400);
      assert.deepEqual(await response.json(), { error: "join_code is required" });
    }
    const wrong = await t.central.app.request("/v1/enrollments/bootstrap-config", {}, from("10.7.0.5"));
    assert.equal(wrong.status, 405);
    assert.equal(wrong.headers.get("allow"), "POST");
  } finally {
    await t.close();
  }
});

test("redemptions are rate limited per client IP (5 a minute), apart from the identity bootstrap", async () => {
  const t = await setup();
  try {
    for (let i = 0; i < 5; i++) assert.equal((await t.redeem("ZZZZZZZZZZ", "10.8.0.1")).status, 401);
    const limited = await t.redeem("ZZZZZZZZZZ", "10.8.0.1");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "60");
    assert.deepEqual(await limited.json(), { error: "rate limited", retry_after_seconds: 60 });
    // The identity bootstrap counts on its own.
    const bootstrap = await t.central.app.request("/v1/identity/bootstrap", {
      method: "POST",
      body: JSON.stringify({ bootstrap_token: "bt_x" }),
    }, from("10.8.0.1"));
    assert.equal(bootstrap.status, 401);
    t.central.clock.now += 60;
    assert.equal((await t.redeem("ZZZZZZZZZZ", "10.8.0.1")).status, 401);
  } finally {
    await t.close();
  }
});

test("a Central without a bootstrap store answers 503 bootstrap not provisioned, and the code stays unused", async () => {
  const central = await testCentral({
    identity_issuer: { secret: "test-secret-test-secret-test-secret!" },
  });
  try {
    const { joinCode } = await central.context.enrollments.create({ gatewayId: "gw-1", maxUses: 1, ttlSeconds: 600 });
    const response = await central.app.request("/v1/enrollments/bootstrap-config", {
      method: "POST",
      body: JSON.stringify({ join_code: joinCode }),
    }, from("10.9.0.1"));
    assert.equal(response.status, 503);
    assert.deepEqual(await response.json(), { error: "bootstrap not provisioned" });
    assert.equal((await central.context.enrollments.list())[0].usedCount, 0);
  } finally {
    await central.close();
  }
});
