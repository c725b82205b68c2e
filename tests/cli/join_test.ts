/**
 * `ctvs join` in process against a temporary home, an in-memory Central and a real rendezvous app (reached through
 * an injected fetch): what each step prints, the files it writes (0600, no spent token), the daemon offer (--yes,
 * --no, a question, npx), and each failure's message, exit code and whether the code was used.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runJoin } from "../../cli/join.ts";
import { report } from "../../cli/main.ts";
import { captureIo, type FakeHost, fakeHost } from "../platform/daemon/_fake_host.ts";
import { adminCentral, RENDEZVOUS_URL } from "../server/central/_invites.ts";

const CENTRAL = "https://central.example.com";
const UNIT = "com.hyparam.collectivus.service";

async function setup(hostOptions: Parameters<typeof fakeHost>[0] = {}) {
  const t = await adminCentral();
  const host = await fakeHost(hostOptions);
  const requests: string[] = [];
  let failBootstrap = false;
  const fleetFetch: typeof fetch = (input, init) => {
    const url = String(input);
    requests.push(`${init?.method ?? "GET"} ${url}`);
    if (url.startsWith(RENDEZVOUS_URL)) return t.rendezvous.fetch(input, init);
    if (url.startsWith("https://rogue.test")) {
      return Promise.resolve(Response.json({ error: "\u001b[2J\rall is well" }, { status: 500 }));
    }
    if (url.startsWith(CENTRAL)) {
      if (failBootstrap && url.endsWith("/v1/identity/bootstrap")) {
        return Promise.resolve(Response.json({ error: "internal error" }, { status: 500 }));
      }
      return Promise.resolve(t.central.app.request(url.slice(CENTRAL.length), init));
    }
    return Promise.reject(new TypeError("fetch failed", { cause: new Error(`connection refused: ${url}`) }));
  };
  const join = async (argv: string[], isTTY = false) => {
    const io = captureIo(isTTY);
    let code: number;
    try {
      code = await runJoin(argv, io, host, { fetch: fleetFetch });
    } catch (error) {
      code = report(error, io);
    }
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  };
  const invite = async (body: Record<string, unknown> = { gatewayPrefix: "laptop-ada", displayName: "Ada" }) =>
    (await (await t.create(body)).json()).joinCode as string;
  const uses = async () => (await t.central.context.enrollments.list()).map((e) => e.usedCount);
  return {
    ...t,
    host,
    requests,
    join,
    invite,
    uses,
    failBootstrap: () => failBootstrap = true,
    configPath: path.join(host.home, ".hyp", "collectivus.json"),
    identityPath: path.join(host.home, ".hyp", "collectivus", "identity.json"),
    async close() {
      await t.close();
      await host.remove();
    },
  };
}

const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

test("ctvs join --rendezvous --expect-central --no: resolves, redeems, bootstraps, fetches, writes 0600 files", async () => {
  const t = await setup();
  try {
    const code = await t.invite();
    const { code: exit, stdout, stderr } = await t.join([
      code.toLowerCase(),
      "--rendezvous",
      RENDEZVOUS_URL,
      "--expect-central",
      `${CENTRAL}/`,
      "--no",
    ]);
    const expiry = new Date((t.central.clock.now + 30 * 86400) * 1000).toISOString();
    assert.equal(exit, 0, stderr);
    assert.equal(
      stdout,
      [
        `✓ Resolved the join code at ${RENDEZVOUS_URL}: gateway laptop-ada ("Ada"), Central server ${CENTRAL}`,
        `✓ Central server is the one expected (${CENTRAL}/)`,
        `✓ Join code redeemed at ${CENTRAL}: this host is gateway laptop-ada`,
        `✓ Identity bootstrapped for laptop-ada (JWT valid until ${expiry}; kept in ${t.identityPath})`,
        "✓ Gateway config fetched from the Central server",
        `✓ Gateway config written to ${t.configPath}`,
        `Daemon not installed. Run the gateway with: ctvs --config ${t.configPath}   ` +
        `(or later: ctvs install --config ${t.configPath})`,
      ].join("\n"),
    );
    // The rendezvous URL is plain http to another host: a warning says what that risks.
    assert.match(
      stderr,
      /^warning: the rendezvous service is reached over plain http \(http:\/\/rendezvous\.test:8789\)/,
    );

    const written = JSON.parse(await fs.readFile(t.configPath, "utf8"));
    assert.deepEqual(Object.keys(written), ["version", "role", "central_server", "otel", "proxy"]);
    assert.deepEqual(written.central_server, { url: CENTRAL, identity: {} }, "no spent token in the config");
    const identity = JSON.parse(await fs.readFile(t.identityPath, "utf8"));
    assert.equal(identity.gateway_id, "laptop-ada");
    assert.equal((await t.central.context.issuer.verify(identity.jwt, t.central.clock.now)).sub, "laptop-ada");
    assert.equal(await mode(t.configPath), 0o600);
    assert.equal(await mode(t.identityPath), 0o600);
    assert.equal(await mode(path.dirname(t.identityPath)), 0o700);
    assert.deepEqual(await t.uses(), [1]);
    assert.deepEqual(t.host.calls, [], "no daemon, no questions");
  } finally {
    await t.close();
  }
});

test("ctvs join --central works without a rendezvous service; --yes installs the daemon and attaches Claude Code", async () => {
  const t = await setup();
  try {
    const code = await t.invite();
    const { code: exit, stdout, stderr } = await t.join([code, "--central", CENTRAL, "--yes"]);
    assert.equal(exit, 0, stderr);
    assert.equal(stderr, "");
    assert.doesNotMatch(stdout, /Resolved/);
    assert.match(stdout, new RegExp(`✓ Daemon installed \\(systemd unit: ${UNIT}\\)`));
    assert.match(stdout, /✓ Claude Code attached/);
    assert.ok(!t.requests.some((r) => r.includes("rendezvous.test")));
    const unit = await fs.readFile(path.join(t.host.home, ".config/systemd/user", UNIT), "utf8");
    assert.match(unit, new RegExp(`^ExecStart=/opt/ctvs/bin/ctvs --config ${t.configPath}$`, "m"));
    assert.ok(t.host.calls.includes(`systemctl --user restart ${UNIT}`));
  } finally {
    await t.close();
  }
});

test("ctvs join asks on a TTY, warns without one, and from the npx cache says how to install globally", async () => {
  for (
    const [label, hostOptions, argv, isTTY, expected] of [
      ["tty no", { replies: ["n"] }, [], true, /^Daemon not installed\./m],
      ["tty yes", { replies: ["", "n"] }, [], true, /✓ Daemon installed/],
      ["piped", {}, [], false, /^$/],
      ["npx", { program: ["/home/u/.npm/_npx/abc/node_modules/.bin/ctvs"] }, ["--yes"], false, /npm install -g/],
    ] as const
  ) {
    const t = await setup(hostOptions as Parameters<typeof fakeHost>[0]);
    if ("program" in hostOptions) (t.host as FakeHost).program = [...hostOptions.program];
    try {
      const code = await t.invite();
      const result = await t.join([code, "--central", CENTRAL, ...argv], isTTY);
      assert.equal(result.code, 0, `${label}: ${result.stderr}`);
      assert.match(result.stdout.split("\n").slice(4).join("\n"), expected, label);
      if (label.startsWith("tty")) {
        assert.equal(t.host.calls[0], "ask Install the gateway as a background daemon? [Y/n] ", label);
      }
      if (label === "piped") {
        assert.match(
          result.stderr,
          /^warning: not a TTY and neither --yes nor --no provided; the daemon is not installed/m,
        );
      }
      if (label === "npx") {
        assert.match(result.stdout, /ctvs is running from the npx cache; to run the gateway as a daemon/);
        assert.match(
          result.stdout,
          new RegExp(`npm install -g collectivus && ctvs install --config ${t.configPath} --yes`),
        );
        assert.deepEqual(t.host.calls, [], "no unit pointing into the npx cache");
      }
    } finally {
      await t.close();
    }
  }
});

test("ctvs join refuses to replace a set-up host without --force, before the code is used; --force keeps the old files", async () => {
  const t = await setup();
  try {
    await fs.mkdir(path.dirname(t.identityPath), { recursive: true });
    await fs.writeFile(t.configPath, '{"version":1}\n');
    const code = await t.invite();
    const refused = await t.join([code, "--rendezvous", RENDEZVOUS_URL, "--no"]);
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `error: ${t.configPath} already exists: this host is set up already. Nothing was changed and the join code is ` +
        "not used. To replace it with this fleet's gateway, run the same command with --force (the old files are " +
        "kept as *.bak-<time>)",
    );
    assert.deepEqual(t.requests, [], "nothing was asked of anyone");

    await fs.writeFile(t.identityPath, '{"jwt":"old"}\n');
    const forced = await t.join([code, "--rendezvous", RENDEZVOUS_URL, "--no", "--force"]);
    assert.equal(forced.code, 0, forced.stderr);
    const stamp = "2026-01-02T03-04-05-000Z";
    assert.match(
      forced.stdout,
      new RegExp(`\\(the previous collectivus\\.json is kept as ${t.configPath}\\.bak-${stamp}\\)`),
    );
    assert.match(forced.stdout, /\(the previous identity\.json is kept as .*identity\.json\.bak-/);
    assert.equal(await fs.readFile(`${t.configPath}.bak-${stamp}`, "utf8"), '{"version":1}\n');
    assert.equal(JSON.parse(await fs.readFile(t.identityPath, "utf8")).gateway_id, "laptop-ada");
  } finally {
    await t.close();
  }
});

test("ctvs join --expect-central stops before the code is used when the rendezvous names another server", async () => {
  const t = await setup();
  try {
    const code = await t.invite();
    const result = await t.join([
      code,
      "--rendezvous",
      RENDEZVOUS_URL,
      "--expect-central",
      "https://other.example.com",
    ]);
    assert.equal(result.code, 1);
    assert.match(
      result.stderr,
      new RegExp(
        `error: the rendezvous service sent this host to ${CENTRAL}, not to https://other\\.example\\.com ` +
          "\\(--expect-central\\)\\. Nothing was changed and the join code is not used\\. Ask the operator which " +
          `server is right; if it is https://other\\.example\\.com, run: ctvs join ${code} --central https://other\\.example\\.com`,
      ),
    );
    assert.deepEqual(await t.uses(), [0]);
    await assert.rejects(fs.stat(t.configPath));
  } finally {
    await t.close();
  }
});

test("ctvs join: unknown, expired and used-up codes, an unreachable service, each with what to do next", async () => {
  const t = await setup();
  try {
    const unknown = await t.join(["ZZZZZZZZZZ", "--rendezvous", RENDEZVOUS_URL, "--no"]);
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /error: the rendezvous service at http:\/\/rendezvous\.test:8789 does not know this join code\. Check the code and the URL/,
    );

    const once = await t.invite({ gatewayPrefix: "once" });
    assert.equal((await t.join([once, "--central", CENTRAL, "--no"])).code, 0);
    await fs.rm(path.join(t.host.home, ".hyp"), { recursive: true });
    const usedUp = await t.join([once, "--rendezvous", RENDEZVOUS_URL, "--no"]);
    assert.equal(usedUp.code, 1);
    assert.match(
      usedUp.stderr,
      /error: the join code is used up: every host it was made for has joined\. Ask the operator for a new one/,
    );
    assert.equal(usedUp.stdout.split("\n").length, 1, "resolved, then refused by Central");

    const late = await t.invite({ gatewayPrefix: "late", ttlSeconds: 60 });
    t.central.clock.now += 61;
    const expired = await t.join([late, "--rendezvous", RENDEZVOUS_URL, "--no"]);
    assert.equal(expired.code, 1);
    assert.match(
      expired.stderr,
      /^error: the join code expired\. Ask the operator for a new one \(ctvs invite create\)$/m,
    );
    const expiredAtCentral = await t.join([late, "--central", CENTRAL, "--no"]);
    assert.match(expiredAtCentral.stderr, /^error: the join code expired\./m);

    const unreachable = await t.join(["ABCDEFGHJK", "--rendezvous", "https://nowhere.test", "--no"]);
    assert.equal(unreachable.code, 1);
    assert.match(
      unreachable.stderr,
      /error: cannot reach the rendezvous service at https:\/\/nowhere\.test: connection refused: https:\/\/nowhere\.test\/v1\/rendezvous\/resolve\. The join code is not used\. .*ctvs join ABCDEFGHJK --central <url>/,
    );
    const centralDown = await t.join(["ABCDEFGHJK", "--central", "https://down.test", "--no"]);
    assert.equal(centralDown.code, 1);
    assert.match(
      centralDown.stderr,
      /error: failed to reach central server https:\/\/down\.test\/v1\/enrollments\/bootstrap-config: .*The join code is not used: check the network/,
    );
  } finally {
    await t.close();
  }
});

test("ctvs join: what a server answers reaches the terminal with its control characters escaped", async () => {
  const t = await setup();
  try {
    for (const flag of ["--rendezvous", "--central"]) {
      const result = await t.join(["ABCDEFGHJK", flag, "https://rogue.test", "--no"]);
      assert.equal(result.code, 1);
      assert.ok(result.stderr.includes("500 \\u001b[2J\\u000dall is well"), result.stderr);
      assert.equal(result.stderr.includes("\u001b"), false, flag);
    }
  } finally {
    await t.close();
  }
});

test("ctvs join: a bootstrap that fails after the code is redeemed writes the config with its token, exit 1", async () => {
  const t = await setup();
  try {
    const code = await t.invite();
    t.failBootstrap();
    const result = await t.join([code, "--central", CENTRAL, "--no"]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^warning: identity bootstrap failed: 500 internal error$/m);
    assert.match(
      result.stderr,
      /^error: the gateway is configured but has no identity yet \(identity bootstrap failed: 500 internal error\)\. Its config keeps the one-shot token, valid until .*: start the gateway \(ctvs --config .*\) once https:\/\/central\.example\.com is reachable and it bootstraps then$/m,
    );
    const written = JSON.parse(await fs.readFile(t.configPath, "utf8"));
    assert.match(written.central_server.identity.bootstrap_token, /^bt_/);
    assert.equal(await mode(t.configPath), 0o600);
    // The token still works: the gateway's first start bootstraps with it.
    const [record] = await t.central.context.tokens!.list();
    assert.deepEqual([record.gatewayId, record.used], ["laptop-ada", false]);
  } finally {
    await t.close();
  }
});

test("ctvs join usage errors exit 2", async () => {
  const t = await setup();
  try {
    const cases: [string[], RegExp][] = [
      [[], /error: a join code is required/],
      [["ABCDEFGHJK"], /error: say where to join: --rendezvous <url>/],
      [
        ["ABCDEFGH10", "--central", CENTRAL],
        /is not a join code: join codes are letters and digits of ABCDEFGHJKMNPQRSTVWXYZ23456789/,
      ],
      [["ABCDEFGHJK", "--central", CENTRAL, "--rendezvous", RENDEZVOUS_URL], /mutually exclusive/],
      [["ABCDEFGHJK", "--central", CENTRAL, "--expect-central", CENTRAL], /--expect-central goes with --rendezvous/],
      [["ABCDEFGHJK", "--rendezvous", "rendezvous.test"], /--rendezvous must be an http\(s\) URL/],
      [["ABCDEFGHJK", "--central", CENTRAL, "--yes", "--no"], /--yes and --no are mutually exclusive/],
    ];
    for (const [argv, pattern] of cases) {
      const result = await t.join(argv);
      assert.equal(result.code, 2, argv.join(" "));
      assert.match(result.stderr, pattern);
    }
    assert.deepEqual(t.requests, []);
    const help = await t.join(["--help"]);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: ctvs join <join-code> --rendezvous <url>/);
  } finally {
    await t.close();
  }
});
