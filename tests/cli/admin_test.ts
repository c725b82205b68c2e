/**
 * `ctvs admin configure | status | clear`: the file (0600), the redacted status and the health check against a real
 * control plane.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runAdmin } from "../../cli/admin.ts";
import { report } from "../../cli/main.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";
import { testCentral } from "../server/central/_central.ts";

test("ctvs admin configure saves 0600 credentials, status redacts the token and checks /health, clear removes them", async () => {
  const host = await fakeHost();
  const central = await testCentral();
  const fetchCentral: typeof fetch = (input, init) => Promise.resolve(central.app.request(String(input), init));
  const run = async (argv: string[]) => {
    const io = captureIo();
    let code: number;
    try {
      code = await runAdmin(argv, io, host, fetchCentral);
    } catch (error) {
      code = report(error, io);
    }
    return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
  };
  try {
    const file = path.join(host.home, ".hyp", "collectivus", "admin.json");
    const token = "a".repeat(12) + "0123456789abcdefghijklmnop";
    assert.deepEqual(await run(["configure", "--central", "http://central.test:8788/", "--admin-token", token]), {
      code: 0,
      stdout: `✓ Saved admin credentials for http://central.test:8788 in ${file}`,
      stderr: "",
    });
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(await fs.readFile(file, "utf8")), {
      central_url: "http://central.test:8788",
      admin_token: token,
    });
    const status = await run(["status"]);
    assert.equal(status.code, 0);
    assert.equal(status.stdout.includes(token), false);
    assert.match(status.stdout, /^Central: {5}http:\/\/central\.test:8788\nAdmin token: aaaa…mnop \(38 chars\)/);
    assert.match(status.stdout, /Health: {6}ok \(collectivus \d+\.\d+\.\d+\)$/);

    assert.equal((await run(["configure", "--central", "ftp://x", "--admin-token", token])).code, 2);
    assert.equal((await run(["configure", "--central", "http://x"])).code, 2);
    assert.deepEqual(await run(["clear"]), { code: 0, stdout: `✓ Removed ${file}`, stderr: "" });
    assert.deepEqual(await run(["clear"]), { code: 0, stdout: `(no admin credentials in ${file})`, stderr: "" });
    const none = await run(["status"]);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /^error: no admin credentials in .*; run: ctvs admin configure --central <url>/);
  } finally {
    await central.close();
    await host.remove();
  }
});
