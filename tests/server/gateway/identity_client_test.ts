import assert from "node:assert/strict";
import { readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { IdentityClient } from "../../../server/gateway/identity_client.ts";
import { testCentral } from "../central/_central.ts";
import { centralFetch } from "./_gateway.ts";

async function setup() {
  const central = await testCentral();
  await central.register("gw-1");
  const { token } = await central.context.tokens!.issue("gw-1");
  const calls = centralFetch(central);
  const logs: string[] = [];
  const persistedPath = path.join(central.dir, "gateway", "identity.json");
  const client = (bootstrapToken: string | null = token) =>
    new IdentityClient({
      centralUrl: "http://central.test:8788/",
      persistedPath,
      bootstrapToken: bootstrapToken ?? undefined,
      fetch: calls.fetch,
      now: () => central.clock.now,
      log: (l) => logs.push(l),
    });
  return { central, token, calls, logs, persistedPath, client };
}

test("IdentityClient bootstraps once and persists the JWT 0600; later starts load it", async () => {
  const { central, calls, persistedPath, client } = await setup();
  try {
    const first = client();
    assert.equal(await first.acquire(), "bootstrapped");
    assert.equal(first.gatewayId, "gw-1");
    assert.equal((await stat(persistedPath)).mode & 0o777, 0o600);
    assert.equal((await stat(path.dirname(persistedPath))).mode & 0o777, 0o700);
    const saved = JSON.parse(await readFile(persistedPath, "utf8"));
    assert.deepEqual(Object.keys(saved), ["jwt", "expires_at", "gateway_id"]);
    assert.equal(saved.gateway_id, "gw-1");
    assert.equal(await first.jwt(), saved.jwt);

    // A restart loads it; the spent bootstrap token is never sent again.
    const second = client();
    assert.equal(await second.acquire(), "loaded");
    assert.deepEqual(calls.requests.map((r) => r.path), ["/v1/identity/bootstrap"]);
    assert.equal(await second.jwt(), saved.jwt);
    void central;
  } finally {
    await central.close();
  }
});

test("IdentityClient refreshes at start within 24 h of expiry, and on use; concurrent refreshes share one request", async () => {
  const { central, calls, client } = await setup();
  try {
    const gateway = client();
    await gateway.acquire();
    central.clock.now += 30 * 24 * 3600 - 23 * 3600;
    assert.equal(await client().acquire(), "refreshed");
    // The refresh is once a minute per gateway on Central; two at once are one request.
    central.clock.now += 61;
    const before = calls.requests.length;
    const [a, b] = await Promise.all([gateway.refresh(), gateway.refresh()]);
    assert.equal(a, b);
    assert.equal(calls.requests.length - before, 1);
    // jwt() refreshes a token that entered its last 24 h.
    central.clock.now += 30 * 24 * 3600 - 3600;
    const renewed = await gateway.jwt();
    assert.notEqual(renewed, a);
    assert.equal(gateway.expiresAt, central.clock.now + 30 * 24 * 3600);
  } finally {
    await central.close();
  }
});

test("IdentityClient keeps a still-valid JWT when Central cannot be reached, and says why it cannot start otherwise", async () => {
  const { central, calls, logs, persistedPath, client } = await setup();
  try {
    await client().acquire();
    calls.intercept(() => {
      throw new TypeError("fetch failed", { cause: new Error("Connection refused") });
    });
    central.clock.now += 30 * 24 * 3600 - 3600;
    assert.equal(await client().acquire(), "loaded");
    assert.match(
      logs.at(-1)!,
      /^warning: identity refresh failed: failed to reach central server .*Connection refused; using/,
    );

    central.clock.now += 7200;
    await assert.rejects(client().acquire(), (error: Error) => {
      assert.match(error.message, /^identity refresh failed: failed to reach central server/);
      assert.match(error.message, /expired: issue a new bootstrap token \(ctvs config bootstrap-token issue gw-1\)/);
      return true;
    });

    await writeFile(persistedPath, "{garbage");
    await assert.rejects(client().acquire(), /^Error: Cannot read the identity .*remove it to bootstrap again/);
  } finally {
    await central.close();
  }
});

test("IdentityClient bootstrap failures name Central's reason", async () => {
  const { central, token, client } = await setup();
  try {
    await assert.rejects(client(null).acquire(), {
      message: "identity bootstrap failed: central_server.identity.bootstrap_token is not set",
    });
    await central.context.tokens!.consume(token);
    await assert.rejects(client().acquire(), {
      message: "identity bootstrap failed: 401 invalid bootstrap token (already_used)",
    });
    await assert.rejects(client("bt_nope").acquire(), {
      message: "identity bootstrap failed: 401 invalid bootstrap token (unknown_token)",
    });
  } finally {
    await central.close();
  }
});
