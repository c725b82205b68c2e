/**
 * `ctvs invite create | list | revoke` in process against an in-memory Central with the admin API and a real
 * rendezvous app: the output lines, --json, where the credentials come from, and each failure's message.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runInvite } from "../../cli/invite.ts";
import { report } from "../../cli/main.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";
import { ADMIN_TOKEN, adminCentral, RENDEZVOUS_URL } from "../server/central/_invites.ts";

const CENTRAL = "https://central.example.com";

async function setup() {
  const t = await adminCentral();
  const host = await fakeHost();
  let ip = "10.20.0.1";
  const centralFetch: typeof fetch = (input, init) => {
    const url = String(input);
    if (!url.startsWith(CENTRAL)) {
      return Promise.reject(new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND") }));
    }
    return Promise.resolve(t.central.app.request(url.slice(CENTRAL.length), init, { remoteAddr: { hostname: ip } }));
  };
  const invite = async (argv: string[]) => {
    const io = captureIo();
    let code: number;
    try {
      code = await runInvite(argv, io, host, centralFetch);
    } catch (error) {
      code = report(error, io);
    }
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  };
  const creds = ["--admin-url", CENTRAL, "--admin-token", ADMIN_TOKEN];
  return {
    ...t,
    host,
    invite,
    creds,
    from: (address: string) => ip = address,
    async close() {
      await t.close();
      await host.remove();
    },
  };
}

test("ctvs invite create prints the code, its limits and the command to share", async () => {
  const t = await setup();
  try {
    const result = await t.invite([
      "create",
      ...t.creds,
      "--gateway-prefix",
      "team",
      "--max-uses",
      "3",
      "--expires-in",
      "14d",
      "--display-name",
      "Team laptops",
    ]);
    assert.equal(result.code, 0, result.stderr);
    const code = /^Join code: {3}([A-Z2-9]{10})$/m.exec(result.stdout)?.[1];
    assert.ok(code, result.stdout);
    assert.equal(
      result.stdout,
      [
        `Join code:   ${code}`,
        `Expires at:  ${new Date((t.central.clock.now + 14 * 86400) * 1000).toISOString()}`,
        "Max uses:    3",
        "Gateway:     team-1 … team-3",
        "Name:        Team laptops",
        `Rendezvous:  ${RENDEZVOUS_URL}`,
        "Share this command:",
        `  npx collectivus join ${code} --rendezvous ${RENDEZVOUS_URL}`,
        `  (or, where ctvs is installed: ctvs join ${code} --rendezvous ${RENDEZVOUS_URL})`,
        `To have the new host check it reaches this Central server, add: --expect-central ${CENTRAL}`,
      ].join("\n"),
    );
    const [record] = await t.central.context.enrollments.list();
    assert.deepEqual([record.gatewayId, record.maxUses, record.displayName], ["team", 3, "Team laptops"]);

    const json = await t.invite(["create", ...t.creds, "--ttl-seconds", "600", "--json"]);
    assert.equal(json.code, 0);
    const body = JSON.parse(json.stdout);
    assert.deepEqual(Object.keys(body), [
      "joinCode",
      "expiresAt",
      "maxUses",
      "gatewayPrefix",
      "centralUrl",
      "rendezvousUrl",
      "command",
    ]);
    assert.equal(body.expiresAt, new Date((t.central.clock.now + 600) * 1000).toISOString());
  } finally {
    await t.close();
  }
});

test("ctvs invite takes its credentials from the flags, then the environment, then ctvs admin configure's file", async () => {
  const t = await setup();
  try {
    const none = await t.invite(["create"]);
    assert.equal(none.code, 1);
    assert.equal(
      none.stderr,
      "error: no Central admin URL: pass --admin-url, set COLLECTIVUS_ADMIN_URL, or run `ctvs admin configure " +
        "--central <url> --admin-token <token>` once",
    );
    const file = path.join(t.host.home, ".hyp", "collectivus", "admin.json");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, JSON.stringify({ central_url: CENTRAL, admin_token: "wrong-token" }));
    const fromFile = await t.invite(["create"]);
    assert.equal(fromFile.code, 1);
    assert.equal(
      fromFile.stderr,
      "error: unauthorized: check `ctvs admin status` and the COLLECTIVUS_ADMIN_TOKEN env var",
    );
    t.host.env.COLLECTIVUS_ADMIN_TOKEN = ADMIN_TOKEN;
    assert.equal((await t.invite(["create"])).code, 0, "the environment before the file");
    t.host.env.COLLECTIVUS_ADMIN_URL = "https://elsewhere.example.com";
    const flags = await t.invite(["create", "--admin-url", CENTRAL]);
    assert.equal(flags.code, 0, "the flag before the environment");
    const unreachable = await t.invite(["list"]);
    assert.equal(unreachable.code, 1);
    assert.equal(
      unreachable.stderr,
      "error: cannot reach the Central server at https://elsewhere.example.com: getaddrinfo ENOTFOUND; " +
        "check the URL with `ctvs admin status`",
    );
  } finally {
    await t.close();
  }
});

test("ctvs invite list and revoke", async () => {
  const t = await setup();
  try {
    assert.equal((await t.invite(["list", ...t.creds])).stdout, "No invites.");
    const created = await t.invite(["create", ...t.creds, "--gateway-prefix", "laptop-ada", "--json"]);
    const { joinCode } = JSON.parse(created.stdout);
    const list = await t.invite(["list", ...t.creds]);
    const expires = new Date((t.central.clock.now + 86400) * 1000).toISOString();
    const createdAt = new Date(t.central.clock.now * 1000).toISOString();
    assert.equal(
      list.stdout,
      [
        `GATEWAY     USED  ${"EXPIRES".padEnd(expires.length)}  ${"CREATED".padEnd(createdAt.length)}  NAME`,
        `laptop-ada  0/1   ${expires}  ${createdAt}`,
      ].join("\n"),
    );
    const json = JSON.parse((await t.invite(["list", ...t.creds, "--json"])).stdout);
    assert.equal(json.length, 1);
    assert.equal(JSON.stringify(json).includes(joinCode), false);

    const revoked = await t.invite(["revoke", joinCode, ...t.creds]);
    assert.deepEqual(revoked, { code: 0, stdout: `✓ Revoked join code ${joinCode} (rendezvous: removed)`, stderr: "" });
    const again = await t.invite(["revoke", joinCode, ...t.creds]);
    assert.equal(again.code, 1);
    assert.equal(
      again.stderr,
      "error: Central holds no invite with this join code (expired long ago, revoked, or mistyped)",
    );
  } finally {
    await t.close();
  }
});

test("ctvs invite: 400 and 429 from Central, a Central without the admin API, usage errors and the old AWS flags", async () => {
  const t = await setup();
  try {
    const bad = await t.invite(["create", ...t.creds, "--gateway-prefix", "../x"]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: 400 gatewayPrefix: invalid gateway-id "..\/x"/);
    // The admin routes are built once: a Central whose config has no admin block answers 404 to all of them.
    const { testCentral } = await import("../server/central/_central.ts");
    const plain = await testCentral();
    const io = captureIo();
    const code = await runInvite(
      ["create", ...t.creds],
      io,
      t.host,
      (input, init) => Promise.resolve(plain.app.request(String(input).slice(CENTRAL.length), init)),
    );
    await plain.close();
    assert.equal(code, 1);
    assert.deepEqual(io.stderr, [
      `error: ${CENTRAL} has no admin API: set server.admin (and server.public_url) in the Central server's config`,
    ]);

    t.from("10.21.0.1");
    let last;
    for (let i = 0; i < 31; i++) last = await t.invite(["list", ...t.creds]);
    assert.equal(last!.code, 1);
    assert.equal(last!.stderr, "error: rate limited; retry in 60 seconds");

    const usage: [string[], RegExp][] = [
      [[], /missing subcommand: create, list or revoke/],
      [["make"], /unknown subcommand: make/],
      [["revoke"], /ctvs invite revoke requires a join code/],
      [["create", "--max-uses", "two"], /--max-uses must be a whole number/],
      [["create", "--expires-in", "2 days"], /--expires-in must be a number and a unit/],
      [["create", "--expires-in", "1d", "--ttl-seconds", "60"], /mutually exclusive/],
      [["create", "--aws-stack", "x"], /--aws-stack belongs to the old AWS invite backend, which is gone/],
      [["create", "--region=us-east-1"], /--region belongs to the old AWS invite backend/],
    ];
    for (const [argv, pattern] of usage) {
      const result = await t.invite(argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, pattern);
    }
  } finally {
    await t.close();
  }
});
