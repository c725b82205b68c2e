/**
 * `ctvs rendezvous` as a real process: it registers and resolves invites, stops on SIGTERM, and after a restart still
 * resolves what was registered before; its store file never holds a plaintext code (read back as bytes and searched).
 * And the ways it refuses to start.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { joinCodeHash, newJoinCode } from "../../platform/join_code.ts";
import { boundAddress, ctvs, runToEnd, startCtvs, tempDir } from "../helpers/child.ts";

const TOKEN = "rendezvous-registration-token-0123456789";

function start(dataDir: string) {
  return startCtvs(["rendezvous", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
    env: { COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN: TOKEN },
  });
}

async function address(child: ReturnType<typeof start>): Promise<string> {
  const line = await child.waitFor(/^Rendezvous listener bound on /, 60_000);
  return `http://${boundAddress(line)}`;
}

test("ctvs rendezvous: register, resolve, SIGTERM, restart; the store survives and holds no plaintext code", async () => {
  const temp = await tempDir("ctvs-rendezvous-cli-");
  const dataDir = path.join(temp.dir, "rendezvous");
  let child = start(dataDir);
  try {
    let url = await address(child);
    assert.match(child.stdout[0], new RegExp(`\\(store ${dataDir}/invites\\.json\\)$`));
    const codes = [newJoinCode(), newJoinCode()];
    const expires_at = new Date(Date.now() + 3600_000).toISOString();
    for (const [i, code] of codes.entries()) {
      const response = await fetch(`${url}/v1/rendezvous/invites`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({
          join_code_hash: joinCodeHash(code),
          connect_url: "https://central.example.com",
          gateway_id: `gw-${i}`,
          expires_at,
        }),
      });
      assert.equal(response.status, 200, await response.text());
    }
    const resolve = (code: string) =>
      fetch(`${url}/v1/rendezvous/resolve`, { method: "POST", body: JSON.stringify({ join_code: code }) });
    assert.equal((await (await resolve(codes[0])).json()).gateway_id, "gw-0");

    child.kill("SIGTERM");
    assert.deepEqual((await child.exited).code, 0);
    assert.deepEqual(child.stdout.slice(-2), ["Received SIGTERM, shutting down...", "Shutdown complete."]);

    child = start(dataDir);
    url = await address(child);
    for (const [i, code] of codes.entries()) {
      const response = await resolve(code);
      assert.equal(response.status, 200);
      assert.deepEqual(await response.json(), {
        connect_url: "https://central.example.com",
        gateway_id: `gw-${i}`,
        expires_at,
      });
    }
    assert.equal((await resolve("ZZZZZZZZZZ")).status, 404);

    const file = path.join(dataDir, "invites.json");
    const bytes = new TextDecoder().decode(await fs.readFile(file));
    for (const code of codes) {
      assert.equal(bytes.includes(code), false, "no plaintext code");
      assert.equal(bytes.toLowerCase().includes(code.toLowerCase()), false);
      assert.equal(bytes.includes(joinCodeHash(code)), false, "no unkeyed hash either");
    }
    assert.equal(bytes.includes(TOKEN), false);
    // And nowhere in the data directory (the lock's files included), as grep sees it.
    for (const code of codes) {
      const grep = await runToEnd("grep", ["-rli", code, dataDir]);
      assert.equal(grep.code, 1, `grep found ${code} in: ${grep.stdout}`);
    }
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.equal((await fs.stat(dataDir)).mode & 0o777, 0o700);
  } finally {
    if (child.process.exitCode === null) child.kill("SIGTERM");
    await child.exited;
    await temp.remove();
  }
});

test("ctvs rendezvous refuses to start without a token (2), with a short one (1), a bad address (2), a broken store (1)", async () => {
  const temp = await tempDir("ctvs-rendezvous-cli-");
  try {
    const dataDir = path.join(temp.dir, "rv");
    const none = await ctvs(["rendezvous", "--data-dir", dataDir], {
      env: { COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN: "" },
    });
    assert.equal(none.code, 2);
    assert.match(
      none.stderr,
      /^error: a registration token is required: set COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN/,
    );
    const short = await ctvs(["rendezvous", "--data-dir", dataDir, "--registration-token", "short"]);
    assert.equal(short.code, 1);
    assert.match(short.stderr, /^error: the registration token must be at least 32 characters/);
    const badListen = await ctvs(["rendezvous", "--listen", "8789", "--registration-token", TOKEN]);
    assert.equal(badListen.code, 2);
    assert.match(badListen.stderr, /^error: --listen "8789": must be host:port/);
    await fs.mkdir(dataDir, { recursive: true });
    await fs.writeFile(path.join(dataDir, "invites.json"), "{ not json");
    const broken = await ctvs(["rendezvous", "--listen", "127.0.0.1:0", "--data-dir", dataDir], {
      env: { COLLECTIVUS_RENDEZVOUS_REGISTRATION_TOKEN: TOKEN },
    });
    assert.equal(broken.code, 1);
    assert.match(
      broken.stderr,
      new RegExp(
        `^error: cannot start the rendezvous service on 127\\.0\\.0\\.1:0: Cannot read the rendezvous store ${dataDir}/invites\\.json: it is not JSON$`,
      ),
    );
  } finally {
    await temp.remove();
  }
});
