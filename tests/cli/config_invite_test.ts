/**
 * `ctvs config bootstrap-token issue <gw> --rendezvous <url>` on a real server config and data directory, against a
 * real rendezvous service on a loopback port: the code it prints resolves there and is redeemed by the control plane
 * built from the same config; and what it refuses.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { loadConfig } from "../../platform/config/load.ts";
import { resolveSecrets } from "../../platform/config/secrets.ts";
import { joinCodeHash } from "../../platform/join_code.ts";
import { centralApp } from "../../server/central/app.ts";
import { centralContext } from "../../server/central/context.ts";
import { rendezvousService } from "../../server/rendezvous/listener.ts";
import { serverHost } from "./_server_host.ts";

const TOKEN = "config-invite-registration-token-0123456789";

test("ctvs config bootstrap-token issue --rendezvous: a join code registered at the rendezvous, redeemed by Central", async () => {
  const { host, run, serverConfig } = await serverHost({
    control_plane_listen: "127.0.0.1:8788",
    public_url: "https://central.example.com",
  });
  const rendezvous = rendezvousService({
    listen: "127.0.0.1:0",
    dataDir: path.join(host.home, "rendezvous"),
    registrationToken: TOKEN,
    log: () => {},
  });
  await rendezvous.start();
  const url = `http://${rendezvous.address!()}`;
  try {
    const issued = await run([
      "bootstrap-token",
      "issue",
      "lab",
      "--rendezvous",
      url,
      "--rendezvous-token",
      TOKEN,
      "--max-uses",
      "2",
      "--ttl-seconds",
      "3600",
    ]);
    assert.equal(issued.code, 0, issued.stderr);
    const code = issued.stdout;
    assert.match(code, /^[ABCDEFGHJKMNPQRSTVWXYZ23456789]{10}$/);
    const lines = issued.stderr.split("\n");
    assert.match(lines[0], /^Join code for lab-1 … lab-2; expires at \d{4}-.*Z\.$/);
    assert.deepEqual(lines.slice(1), ["On the new host, run:", `  npx collectivus join ${code} --rendezvous ${url}`]);

    const resolved = await rendezvous.store.resolve(joinCodeHash(code));
    assert.equal(resolved.status, "found");
    if (resolved.status === "found") assert.equal(resolved.invite.connect_url, "https://central.example.com");

    // The running server, built from the same config, redeems it.
    const { config } = await loadConfig({ kind: "file", path: serverConfig });
    const context = centralContext(resolveSecrets(config, host.env).server!, () => {});
    const redeem = await centralApp(context).request("/v1/enrollments/bootstrap-config", {
      method: "POST",
      body: JSON.stringify({ join_code: code }),
    });
    assert.equal(redeem.status, 200);
    assert.equal((await redeem.json()).gateway_id, "lab-1");
    await context.store.close();

    const again = await run(["bootstrap-token", "issue", "lab", "--rendezvous", url, "--rendezvous-token", TOKEN]);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, "error: lab already has a live invite; wait for it to expire or choose another id");

    const wrongToken = await run(["bootstrap-token", "issue", "other", "--rendezvous", url, "--rendezvous-token", "x"]);
    assert.equal(wrongToken.code, 1);
    assert.equal(
      wrongToken.stderr,
      "error: rendezvous registration failed: 401 unauthorized; check --rendezvous and the registration token " +
        "(nothing was kept)",
    );
    const noToken = await run(["bootstrap-token", "issue", "other", "--rendezvous", url]);
    assert.equal(noToken.code, 2);
    assert.match(noToken.stderr, /^error: --rendezvous needs the registration token: --rendezvous-token, COLLECTIVUS_/);
    host.env.COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN = TOKEN;
    assert.equal((await run(["bootstrap-token", "issue", "other", "--rendezvous", url])).code, 0, "from the env");

    const alone = await run(["bootstrap-token", "issue", "gw-1", "--max-uses", "2"]);
    assert.equal(alone.code, 2);
    assert.match(alone.stderr, /^error: --max-uses goes with --rendezvous/);
    const tooMany = await run(["bootstrap-token", "issue", "x", "--rendezvous", url, "--max-uses", "5000"]);
    assert.equal(tooMany.code, 2);
    assert.match(tooMany.stderr, /^error: maxUses must be a whole number from 1 to 1000/);
    delete host.env.CTVS_SECRET;
    const noSecret = await run(["bootstrap-token", "issue", "y", "--rendezvous", url]);
    assert.equal(noSecret.code, 1);
    assert.match(
      noSecret.stderr,
      /^config error: \/server\/identity_issuer\/secret_env: environment variable CTVS_SECRET is not set/,
    );
  } finally {
    await rendezvous.stop();
    await host.remove();
  }
});
