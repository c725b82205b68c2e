/**
 * `ctvs config ...` on a real server config and data directory: messages, exit codes, what lands in the registry
 * and the token store, and a token that then works against the control plane.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { BootstrapTokens, hashToken } from "../../server/central/bootstrap_tokens.ts";
import type { FakeHost } from "../platform/daemon/_fake_host.ts";
import { serverHost } from "./_server_host.ts";

const GATEWAY = {
  version: 1,
  role: "gateway",
  central_server: { url: "https://central.example.com:8788", identity: {} },
  otel: { listen: "127.0.0.1:4318" },
};

/** A server host with a gateway config, `gw.jsonc`, in its home. */
async function setup(server: Record<string, unknown> = {}, replies: string[] = []) {
  const made = await serverHost(server, replies);
  await fs.writeFile(path.join(made.host.home, "gw.jsonc"), `// the lab's gateway\n${JSON.stringify(GATEWAY)}`);
  return made;
}

test("ctvs config set, get, list and delete work on the registry", async () => {
  const { host, data, run } = await setup();
  try {
    const set = await run(["set", "gw-1", "--file", path.join(host.home, "gw.jsonc")]);
    assert.equal(set.code, 0, set.stderr);
    assert.match(set.stdout, /^✓ Wrote config for gw-1 \(etag [0-9a-f]{64}\)$/);
    assert.equal((await fs.stat(path.join(data, "configs", "gw-1.json"))).mode & 0o777, 0o600);
    await run(["set", "lab+dev@example.com", "--file", path.join(host.home, "gw.jsonc")]);

    const get = await run(["get", "gw-1"]);
    assert.equal(get.code, 0);
    assert.deepEqual(JSON.parse(get.stdout), GATEWAY);
    assert.deepEqual(await run(["list"]), { code: 0, stdout: "gw-1\nlab+dev@example.com", stderr: "" });

    assert.deepEqual(await run(["delete", "gw-1"]), {
      code: 1,
      stdout: "",
      stderr: "error: refusing to delete without --yes (no TTY for confirmation)",
    });
    const deleted = await run(["delete", "gw-1", "--yes"]);
    assert.equal(deleted.code, 0);
    assert.equal(deleted.stdout, "✓ Deleted config for gw-1");
    assert.match(deleted.stderr, /gw-1 is revoked/);
    assert.deepEqual(await run(["get", "gw-1"]), { code: 1, stdout: "", stderr: "error: no config found for gw-1" });
    assert.deepEqual(await run(["delete", "gw-1", "--yes"]), {
      code: 1,
      stdout: "",
      stderr: "error: no config found for gw-1",
    });
  } finally {
    await host.remove();
  }
});

test("ctvs config delete asks on a terminal, and deletes only on yes", async () => {
  const { host, run } = await setup({}, ["n", "y"]);
  try {
    await run(["set", "gw-1", "--file", path.join(host.home, "gw.jsonc")]);
    assert.deepEqual(await run(["delete", "gw-1"], true), { code: 0, stdout: "Nothing deleted.", stderr: "" });
    assert.equal((await run(["delete", "gw-1"], true)).stdout, "✓ Deleted config for gw-1");
    assert.deepEqual((host as FakeHost).calls, [
      "ask Delete config for gw-1? [y/N] ",
      "ask Delete config for gw-1? [y/N] ",
    ]);
  } finally {
    await host.remove();
  }
});

test("ctvs config set refuses an invalid config, an invalid id and a non-server config", async () => {
  const { host, run, serverConfig } = await setup();
  try {
    await fs.writeFile(path.join(host.home, "bad.json"), JSON.stringify({ ...GATEWAY, otel: { lisen: "x" } }));
    assert.deepEqual(await run(["set", "gw-1", "--file", path.join(host.home, "bad.json")]), {
      code: 1,
      stdout: "",
      stderr: 'config error: /otel/lisen: unknown key "lisen"',
    });
    await fs.writeFile(path.join(host.home, "standalone.json"), '{"version":1}');
    const standalone = await run(["set", "gw-1", "--file", path.join(host.home, "standalone.json")]);
    assert.equal(standalone.code, 1);
    assert.match(standalone.stderr, /^config error: \/role: a registered config must have role "gateway"/);
    const badId = await run(["set", "../etc", "--file", path.join(host.home, "gw.jsonc")]);
    assert.equal(badId.code, 2);
    assert.match(badId.stderr, /^error: invalid gateway-id "..\/etc": must start with \[A-Za-z0-9\]/);
    const missing = await run(["set", "gw-1"]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /^error: ctvs config set requires --file/);

    await fs.writeFile(serverConfig, '{"version":1}');
    assert.deepEqual(await run(["list"]), {
      code: 1,
      stdout: "",
      stderr:
        'config error: --server-config must point at a config with role: "server" (the operator CLI runs on the server host)',
    });
  } finally {
    await host.remove();
  }
});

test("ctvs config bootstrap-token issue prints the token and the setup command; revoke drops unused ones", async () => {
  const { host, data, run } = await setup();
  try {
    const issued = await run(["bootstrap-token", "issue", "gw-1", "--ttl-seconds", "3600"]);
    assert.equal(issued.code, 0, issued.stderr);
    const token = issued.stdout;
    assert.match(token, /^bt_[A-Za-z0-9_-]{43}$/);
    const lines = issued.stderr.split("\n");
    assert.match(lines[0], /^Token issued for gw-1; expires at \d{4}-\d\d-\d\dT.*Z\.$/);
    const expires = Date.parse(/expires at (\S+)\.$/.exec(lines[0])![1]);
    assert.ok(Math.abs(expires - (Date.now() + 3600_000)) < 60_000);
    assert.match(lines[1], /^warning: no config is registered for gw-1 yet/);
    assert.equal(lines[2], "On the gateway host, run:");
    assert.equal(
      lines[3],
      `  npx collectivus --config-endpoint='https://central.example.com:8788/v1/bootstrap-config?token=${token}'`,
    );
    assert.equal(
      lines[4],
      "  (or, where ctvs is installed: " +
        `ctvs --config-endpoint='https://central.example.com:8788/v1/bootstrap-config?token=${token}')`,
    );
    const store = await new BootstrapTokens(path.join(data, "bootstrap.json")).list();
    assert.deepEqual(store.map((r) => [r.tokenHash, r.gatewayId, r.used]), [[hashToken(token), "gw-1", false]]);

    await run(["bootstrap-token", "issue", "gw-1"]);
    assert.deepEqual(await run(["bootstrap-token", "revoke", "gw-1"]), {
      code: 0,
      stdout: "✓ Revoked 2 unused bootstrap token(s) for gw-1",
      stderr: "",
    });
    const bad = await run(["bootstrap-token", "issue", "gw-1", "--ttl-seconds", "0"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--ttl-seconds must be a positive whole number/);
  } finally {
    await host.remove();
  }
});

test("ctvs config bootstrap-token issue says what to set when the store or the public URL is missing", async () => {
  const noStore = await setup({ identity_issuer: { secret: "s".repeat(32) } });
  try {
    const result = await noStore.run(["bootstrap-token", "issue", "gw-1"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^error: server\.identity_issuer\.bootstrap_store_path is not set/);
  } finally {
    await noStore.host.remove();
  }
  const noUrl = await setup({ public_url: undefined, control_plane_listen: "10.1.2.3:8788" });
  try {
    const result = await noUrl.run(["bootstrap-token", "issue", "gw-1"]);
    assert.match(result.stderr, /--config-endpoint='http:\/\/10\.1\.2\.3:8788\/v1\/bootstrap-config\?token=bt_/);
    assert.match(result.stderr, /set server\.public_url to the address gateways use/);
  } finally {
    await noUrl.host.remove();
  }
});
