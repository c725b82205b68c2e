/**
 * The rendezvous service's API over its real store in a temporary directory: every endpoint's success and errors,
 * the no-store header on every answer, expiry (410, then the sweep), and a store that holds no plaintext code.
 */
import assert from "node:assert/strict";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { joinCodeHash, newJoinCode } from "../../../platform/join_code.ts";
import { rendezvousApp } from "../../../server/rendezvous/app.ts";
import { InviteStore } from "../../../server/rendezvous/invite_store.ts";
import { tempDir } from "../../helpers/child.ts";

const TOKEN = "registration-token-registration-token";
const NOW = Date.parse("2026-03-01T12:00:00.000Z");

async function setup(options: { resolveLimit?: { limit: number; windowMs: number } } = {}) {
  const temp = await tempDir("ctvs-rendezvous-");
  const clock = { now: NOW };
  const store = new InviteStore(temp.dir, TOKEN, { now: () => clock.now });
  const logs: string[] = [];
  const app = rendezvousApp({
    store,
    registrationToken: TOKEN,
    now: () => clock.now,
    log: (l) => logs.push(l),
    ...options,
  });
  const env = (ip = "10.0.0.1") => ({ remoteAddr: { hostname: ip, port: 40000 } });
  const post = (url: string, body: unknown, headers: Record<string, string> = {}, ip?: string) =>
    app.request(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    }, env(ip));
  const auth = { authorization: `Bearer ${TOKEN}` };
  const register = (body: unknown, headers: Record<string, string> = auth) =>
    post("/v1/rendezvous/invites", body, headers);
  const resolve = (code: unknown, ip?: string) => post("/v1/rendezvous/resolve", { join_code: code }, {}, ip);
  return { temp, clock, store, app, logs, post, register, resolve, auth, env };
}

function invite(code: string, overrides: Record<string, unknown> = {}) {
  return {
    join_code_hash: joinCodeHash(code),
    connect_url: "https://central.example.com/",
    gateway_id: "laptop-ada",
    expires_at: new Date(NOW + 3600_000).toISOString(),
    display_name: "Ada's laptop",
    ...overrides,
  };
}

test("rendezvous: GET /health, 404 and 405, every answer no-store", async () => {
  const r = await setup();
  try {
    const health = await r.app.request("/health");
    assert.equal(health.status, 200);
    assert.equal(health.headers.get("cache-control"), "no-store");
    assert.deepEqual(Object.keys(await health.json()), ["status", "version"]);
    const missing = await r.app.request("/v1/nothing");
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get("cache-control"), "no-store");
    assert.deepEqual(await missing.json(), { error: "not found" });
    for (
      const [url, allow] of [["/v1/rendezvous/resolve", "POST"], ["/v1/rendezvous/invites", "POST"], ["/health", "GET"]]
    ) {
      const wrong = await r.app.request(url, { method: url === "/health" ? "POST" : "GET" });
      assert.equal(wrong.status, 405, url);
      assert.equal(wrong.headers.get("allow"), allow);
      assert.equal(wrong.headers.get("cache-control"), "no-store");
    }
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: Central registers an invite, a host resolves its code (any case, dashes), a duplicate is 409", async () => {
  const r = await setup();
  try {
    const code = "ABCDEFGHJK";
    const registered = await r.register(invite(code));
    assert.equal(registered.status, 200);
    assert.deepEqual(await registered.json(), { ok: true, expires_at: "2026-03-01T13:00:00.000Z" });

    for (const typed of [code, "abcde-fghjk", " ABCDE FGHJK "]) {
      const resolved = await r.resolve(typed);
      assert.equal(resolved.status, 200, typed);
      assert.equal(resolved.headers.get("cache-control"), "no-store");
      assert.deepEqual(await resolved.json(), {
        connect_url: "https://central.example.com",
        gateway_id: "laptop-ada",
        expires_at: "2026-03-01T13:00:00.000Z",
        display_name: "Ada's laptop",
      });
    }
    const duplicate = await r.register(invite(code, { gateway_id: "other" }));
    assert.equal(duplicate.status, 409);
    assert.deepEqual(await duplicate.json(), { error: "an invite with this join code is already registered" });

    // The store: 0600, keyed hashes and connect details only.
    const text = await readFile(r.store.path, "utf8");
    assert.equal((await stat(r.store.path)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(r.store.path))).mode & 0o777, 0o700);
    assert.equal(text.includes(code), false);
    assert.equal(text.includes(joinCodeHash(code)), false, "not even the sha256 the wire carried");
    assert.deepEqual(Object.keys(JSON.parse(text)[0]).sort(), [
      "code_hash",
      "connect_url",
      "display_name",
      "expires_at",
      "gateway_id",
    ]);
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: registration needs the token (401 + WWW-Authenticate) and a valid body (400 naming the field)", async () => {
  const r = await setup();
  try {
    const attempts: Record<string, string>[] = [{}, { authorization: "Bearer wrong" }, {
      authorization: `Basic ${TOKEN}`,
    }];
    for (const headers of attempts) {
      const refused = await r.register(invite("ABCDEFGHJK"), headers);
      assert.equal(refused.status, 401);
      assert.equal(refused.headers.get("www-authenticate"), "Bearer");
      assert.deepEqual(await refused.json(), { error: "unauthorized" });
    }
    const cases: [Record<string, unknown>, string][] = [
      [{ join_code_hash: undefined }, "join_code_hash is required"],
      [{ join_code_hash: "abc" }, "join_code_hash must be the sha256 of the join code (64 lowercase hex characters)"],
      [{ connect_url: undefined }, "connect_url is required"],
      [{ connect_url: "ftp://x" }, "connect_url must be an http(s) URL"],
      [{ gateway_id: undefined }, "gateway_id is required"],
      [{ gateway_id: "../x" }, "gateway_id must be a valid gateway id"],
      [{ expires_at: undefined }, "expires_at is required"],
      [{ expires_at: "tomorrow" }, "expires_at must be an ISO date"],
      [{ expires_at: new Date(NOW - 1000).toISOString() }, "expires_at must be in the future"],
      [{ expires_at: new Date(NOW + 32 * 86400_000).toISOString() }, "expires_at must be at most 31 days ahead"],
      [
        { display_name: "x\u001b[2J" },
        "display_name must be a string of 1 to 200 characters without control characters",
      ],
      [{ join_code: "ABCDEFGHJK" }, "send join_code_hash (the sha256 of the code), never the join code itself"],
      [{ jwt: "x" }, 'unknown field "jwt"'],
    ];
    for (const [change, error] of cases) {
      const body = Object.fromEntries(
        Object.entries(invite("ABCDEFGHJK", change)).filter(([, v]) => v !== undefined),
      );
      const response = await r.register(body);
      assert.equal(response.status, 400, error);
      assert.deepEqual(await response.json(), { error });
    }
    const garbage = await r.register("{not json");
    assert.equal(garbage.status, 400);
    assert.deepEqual(await garbage.json(), { error: "invalid JSON body" });
    const huge = await r.register({ ...invite("ABCDEFGHJK"), display_name: "x".repeat(9000) });
    assert.equal(huge.status, 413);
    assert.deepEqual(await r.store.list(), [], "nothing refused was stored");
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: resolve answers 400 without a code, 404 for an unknown one, 429 past the per-IP limit", async () => {
  const r = await setup({ resolveLimit: { limit: 3, windowMs: 60_000 } });
  try {
    const missing = await r.post("/v1/rendezvous/resolve", {});
    assert.equal(missing.status, 400);
    assert.deepEqual(await missing.json(), { error: "join_code is required" });
    for (const code of ["ZZZZZZZZZZ", "not-a-code!"]) {
      const unknown = await r.resolve(code, "10.0.0.2");
      assert.equal(unknown.status, 404);
      assert.deepEqual(await unknown.json(), { error: "unknown join code" });
    }
    const limited = await r.resolve("ZZZZZZZZZZ", "10.0.0.2");
    assert.equal(limited.status, 404);
    const refused = await r.resolve("ZZZZZZZZZZ", "10.0.0.2");
    assert.equal(refused.status, 429);
    assert.equal(refused.headers.get("retry-after"), "60");
    assert.equal(refused.headers.get("cache-control"), "no-store");
    assert.deepEqual(await refused.json(), { error: "rate limited", retry_after_seconds: 60 });
    assert.equal((await r.resolve("ZZZZZZZZZZ", "10.0.0.3")).status, 404, "another address has its own count");
    r.clock.now += 60_000;
    assert.equal((await r.resolve("ZZZZZZZZZZ", "10.0.0.2")).status, 404);
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: an expired invite is 410; the sweep drops its connect details, then forgets it after a week", async () => {
  const r = await setup();
  try {
    const code = newJoinCode();
    assert.equal((await r.register(invite(code, { expires_at: new Date(NOW + 120_000).toISOString() }))).status, 200);
    const other = newJoinCode();
    assert.equal((await r.register(invite(other, { gateway_id: "still-live" }))).status, 200);
    assert.equal(await r.store.sweep(), 0, "nothing to sweep yet");

    r.clock.now += 120_000;
    const expired = await r.resolve(code);
    assert.equal(expired.status, 410);
    assert.deepEqual(await expired.json(), { error: "join code expired" });
    assert.equal(await r.store.sweep(), 1);
    const records = await r.store.list();
    assert.deepEqual(records.map((x) => Object.keys(x).sort()), [
      ["code_hash", "expires_at"],
      ["code_hash", "connect_url", "display_name", "expires_at", "gateway_id"],
    ]);
    assert.equal((await r.resolve(code)).status, 410, "still known as expired");
    // A code can be registered again once its invite expired.
    assert.equal(
      (await r.register(invite(code, { expires_at: new Date(r.clock.now + 60_000).toISOString() }))).status,
      200,
    );
    assert.equal((await r.resolve(code)).status, 200);

    r.clock.now += 8 * 86400_000;
    await r.store.sweep();
    assert.deepEqual(await r.store.list(), []);
    assert.equal((await r.resolve(code)).status, 404);
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: DELETE withdraws an invite with the token; 404 when unknown, 401 without the token", async () => {
  const r = await setup();
  try {
    const code = newJoinCode();
    await r.register(invite(code));
    const url = `/v1/rendezvous/invites/${joinCodeHash(code)}`;
    const anonymous = await r.app.request(url, { method: "DELETE" });
    assert.equal(anonymous.status, 401);
    const removed = await r.app.request(url, { method: "DELETE", headers: r.auth });
    assert.equal(removed.status, 200);
    assert.deepEqual(await removed.json(), { ok: true });
    assert.equal((await r.resolve(code)).status, 404);
    const again = await r.app.request(url, { method: "DELETE", headers: r.auth });
    assert.equal(again.status, 404);
    const bad = await r.app.request("/v1/rendezvous/invites/xyz", { method: "DELETE", headers: r.auth });
    assert.equal(bad.status, 400);
  } finally {
    await r.temp.remove();
  }
});

test("rendezvous: the store survives a new process (another InviteStore on the same directory); a new token finds nothing", async () => {
  const r = await setup();
  try {
    const code = newJoinCode();
    await r.register(invite(code));
    const restarted = new InviteStore(r.temp.dir, TOKEN, { now: () => r.clock.now });
    const found = await restarted.resolve(joinCodeHash(code));
    assert.equal(found.status, "found");
    const rotated = new InviteStore(r.temp.dir, `${TOKEN}-rotated`, { now: () => r.clock.now });
    assert.equal((await rotated.resolve(joinCodeHash(code))).status, "unknown");
  } finally {
    await r.temp.remove();
  }
});
