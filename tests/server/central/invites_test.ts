/**
 * The admin API's invites (`/v1/admin/invites`, list, revoke) against a real rendezvous app reached through an
 * injected fetch: 404 without `server.admin`, the IP rate limit before the token, the constant-time token check, body
 * validation, registration at the rendezvous service (and the invite withdrawn when that fails), codes stored only as
 * keyed hashes.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { joinCodeHash } from "../../../platform/join_code.ts";
import { from, testCentral } from "./_central.ts";
import { ADMIN_TOKEN, adminCentral, REGISTRATION_TOKEN, RENDEZVOUS_URL } from "./_invites.ts";

test("POST /v1/admin/invites: a join code, stored as a keyed hash, registered at the rendezvous service", async () => {
  const t = await adminCentral();
  try {
    const response = await t.create({ gatewayPrefix: "laptop-ada", displayName: "Ada's laptop", ttlSeconds: 3600 });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("cache-control"), "no-store");
    const body = await response.json();
    assert.match(body.joinCode, /^[ABCDEFGHJKMNPQRSTVWXYZ23456789]{10}$/);
    assert.deepEqual({ ...body, joinCode: "<code>" }, {
      joinCode: "<code>",
      expiresAt: new Date((t.central.clock.now + 3600) * 1000).toISOString(),
      maxUses: 1,
      gatewayPrefix: "laptop-ada",
      displayName: "Ada's laptop",
      centralUrl: "https://central.example.com",
      rendezvousUrl: RENDEZVOUS_URL,
      command: `npx collectivus join ${body.joinCode} --rendezvous ${RENDEZVOUS_URL}`,
    });

    // Central's store: 0600, the code keyed with the JWT secret, never the code or its plain sha256.
    const file = path.join(t.central.dir, "enrollments.json");
    const text = await readFile(file, "utf8");
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    assert.equal(text.includes(body.joinCode), false);
    assert.equal(text.includes(joinCodeHash(body.joinCode)), false);
    const [record] = JSON.parse(text);
    assert.deepEqual({ ...record, joinCodeHash: record.joinCodeHash.length }, {
      joinCodeHash: 64,
      gatewayId: "laptop-ada",
      maxUses: 1,
      usedCount: 0,
      expiresAt: t.central.clock.now + 3600,
      createdAt: t.central.clock.now,
      displayName: "Ada's laptop",
    });

    // The rendezvous service resolves it to Central's public URL.
    const resolved = await t.rendezvous.store.resolve(joinCodeHash(body.joinCode));
    assert.equal(resolved.status, "found");
    if (resolved.status === "found") {
      assert.equal(resolved.invite.connect_url, "https://central.example.com");
      assert.equal(resolved.invite.gateway_id, "laptop-ada");
      assert.equal(resolved.invite.display_name, "Ada's laptop");
    }
  } finally {
    await t.close();
  }
});

test("POST /v1/admin/invites: defaults (one use, 24 h, a fresh prefix from enrollment.gateway_prefix); a prefix in live use is 409", async () => {
  const t = await adminCentral();
  try {
    const first = await (await t.create()).json();
    const second = await (await t.create()).json();
    assert.match(first.gatewayPrefix, /^host-[a-z0-9]{6}$/);
    assert.notEqual(first.gatewayPrefix, second.gatewayPrefix, "two invites never mint one gateway");
    assert.equal(first.maxUses, 1);
    assert.equal(first.expiresAt, new Date((t.central.clock.now + 86400) * 1000).toISOString());

    assert.equal((await t.create({ gatewayPrefix: "team", maxUses: 3 })).status, 200);
    const clash = await t.create({ gatewayPrefix: "team" });
    assert.equal(clash.status, 409);
    assert.deepEqual(await clash.json(), {
      error: 'gatewayPrefix "team" already has a live invite; revoke it or choose another prefix',
    });
  } finally {
    await t.close();
  }
});

test("POST /v1/admin/invites: 400 naming what is wrong; nothing stored", async () => {
  const t = await adminCentral();
  try {
    const cases: [unknown, string][] = [
      [{ max_uses: 2 }, 'unknown field "max_uses" (expected gatewayPrefix, maxUses, ttlSeconds, displayName)'],
      [{ gatewayPrefix: "../etc" }, "gatewayPrefix: invalid gateway-id"],
      [{ maxUses: 0 }, "maxUses must be a whole number from 1 to 1000"],
      [{ maxUses: 1.5 }, "maxUses must be a whole number from 1 to 1000"],
      [{ maxUses: "2" }, "maxUses must be a whole number from 1 to 1000"],
      [{ ttlSeconds: 10 }, "ttlSeconds must be a whole number from 60 to 2592000 (30 days)"],
      [{ ttlSeconds: 31 * 86400 }, "ttlSeconds must be a whole number from 60 to 2592000 (30 days)"],
      [{ displayName: "" }, "displayName must be a string of 1 to 200 characters without control characters"],
      [{ gatewayPrefix: "g".repeat(127), maxUses: 2 }, `mints "${"g".repeat(127)}-2", longer than 128 characters`],
      [[1], "body must be a JSON object"],
    ];
    for (const [body, error] of cases) {
      const response = await t.create(body);
      assert.equal(response.status, 400, JSON.stringify(body));
      assert.ok((await response.json()).error.includes(error), error);
    }
    const garbage = await t.admin("/v1/admin/invites", { method: "POST", body: "{" });
    assert.equal(garbage.status, 400);
    assert.deepEqual(await t.central.context.enrollments.list(), []);
    assert.deepEqual(await t.rendezvous.store.list(), []);
  } finally {
    await t.close();
  }
});

test("admin API: 401 (WWW-Authenticate) for a missing or wrong token; the IP rate limit comes before the token", async () => {
  const t = await adminCentral({ adminLimit: { limit: 3, windowMs: 60_000 } });
  try {
    const missing = await t.central.app.request("/v1/admin/invites", { method: "POST", body: "{}" }, from("10.2.0.1"));
    assert.equal(missing.status, 401);
    assert.equal(missing.headers.get("www-authenticate"), "Bearer");
    assert.deepEqual(await missing.json(), { error: "unauthorized" });
    const wrong = await t.create({}, "10.2.0.1", ADMIN_TOKEN.slice(0, -1) + "?");
    assert.equal(wrong.status, 401);
    const list = await t.admin("/v1/admin/invites", {}, "10.2.0.1", "nope");
    assert.equal(list.status, 401);
    // The fourth request from this address is refused before its token is looked at, even the right one.
    const limited = await t.create({}, "10.2.0.1");
    assert.equal(limited.status, 429);
    assert.equal(limited.headers.get("retry-after"), "60");
    assert.deepEqual(await limited.json(), { error: "rate limited", retry_after_seconds: 60 });
    assert.equal((await t.create({}, "10.2.0.2")).status, 200, "another address is not limited");
    const other = await t.admin("/v1/admin/invites", { method: "DELETE" }, "10.2.0.3");
    assert.equal(other.status, 405);
  } finally {
    await t.close();
  }
});

test("admin API: 404 on a Central without server.admin, whatever the method", async () => {
  const central = await testCentral();
  try {
    for (const method of ["POST", "GET", "DELETE"]) {
      const response = await central.app.request("/v1/admin/invites", { method }, from("10.3.0.1"));
      assert.equal(response.status, 404, method);
      assert.deepEqual(await response.json(), { error: "not found" });
    }
    const revoke = await central.app.request("/v1/admin/invites/revoke", { method: "POST" }, from("10.3.0.1"));
    assert.equal(revoke.status, 404);
  } finally {
    await central.close();
  }
});

test("POST /v1/admin/invites: a rendezvous service that refuses or cannot be reached withdraws the invite (502)", async () => {
  const t = await adminCentral();
  try {
    t.central.context.rendezvous = { url: "http://rendezvous.test:8789", registrationToken: "not-the-token" };
    const refused = await t.create({ gatewayPrefix: "a" });
    assert.equal(refused.status, 502);
    assert.deepEqual(await refused.json(), { error: "rendezvous registration failed: 401 unauthorized" });
    t.central.context.rendezvous = { url: "http://elsewhere.test", registrationToken: REGISTRATION_TOKEN };
    const unreachable = await t.create({ gatewayPrefix: "a" });
    assert.equal(unreachable.status, 502);
    assert.match(
      (await unreachable.json()).error,
      /^rendezvous registration failed: cannot reach the rendezvous service at http:\/\/elsewhere\.test: /,
    );
    assert.deepEqual(await t.central.context.enrollments.list(), [], "withdrawn");
    assert.equal(t.central.logs.filter((l) => l.startsWith("warning: invite for a withdrawn")).length, 2);
  } finally {
    await t.close();
  }
});

test("without server.rendezvous the command names Central directly", async () => {
  const t = await adminCentral();
  try {
    t.central.context.rendezvous = undefined;
    const body = await (await t.create({ gatewayPrefix: "solo" })).json();
    assert.equal(body.rendezvousUrl, null);
    assert.equal(body.command, `npx collectivus join ${body.joinCode} --central https://central.example.com`);
    assert.deepEqual(t.rendezvous.calls, []);
  } finally {
    await t.close();
  }
});

test("GET /v1/admin/invites lists the invites without codes; revoke stops a code and withdraws it from the rendezvous", async () => {
  const t = await adminCentral();
  try {
    const { joinCode } = await (await t.create({ gatewayPrefix: "team", maxUses: 2, displayName: "Team" })).json();
    const list = await t.admin("/v1/admin/invites");
    assert.equal(list.status, 200);
    const { invites } = await list.json();
    assert.deepEqual(invites, [{
      gatewayPrefix: "team",
      maxUses: 2,
      usedCount: 0,
      expiresAt: new Date((t.central.clock.now + 86400) * 1000).toISOString(),
      createdAt: new Date(t.central.clock.now * 1000).toISOString(),
      displayName: "Team",
    }]);
    assert.equal(JSON.stringify(invites).includes(joinCode), false);

    const revoke = (code: unknown) =>
      t.admin("/v1/admin/invites/revoke", { method: "POST", body: JSON.stringify({ joinCode: code }) });
    const revoked = await revoke(joinCode.toLowerCase());
    assert.equal(revoked.status, 200);
    assert.deepEqual(await revoked.json(), { revoked: true, rendezvous: "removed" });
    assert.equal((await t.rendezvous.store.resolve(joinCodeHash(joinCode))).status, "unknown");
    const redeem = await t.central.app.request("/v1/enrollments/bootstrap-config", {
      method: "POST",
      body: JSON.stringify({ join_code: joinCode }),
    }, from("10.4.0.1"));
    assert.equal(redeem.status, 401);
    const again = await revoke(joinCode);
    assert.equal(again.status, 404);
    assert.deepEqual(await again.json(), { error: "unknown join code" });
    assert.equal((await revoke("")).status, 400);
  } finally {
    await t.close();
  }
});
