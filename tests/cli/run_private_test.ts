/**
 * The collector keeps recordings private: what it creates is 0600/0700, and a recording root that already lets
 * other users in (made by an older version or by hand) is reported at start with the command that fixes it.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { startCtvs, tempDir } from "../helpers/child.ts";
import { exposedEntries } from "../helpers/modes.ts";

function config(sinkDir: string) {
  return { version: 1, gateway_id: "gw", otel: { listen: "127.0.0.1:0" }, sink: { type: "file", dir: sinkDir } };
}

test("ctvs run warns when the recording root is readable by other users, and creates a new one 0700", async () => {
  const { dir, remove } = await tempDir();
  try {
    const shared = path.join(dir, "shared");
    await fs.mkdir(shared, { mode: 0o755 });
    await fs.chmod(shared, 0o755);
    const file = path.join(dir, "shared.json");
    await fs.writeFile(file, JSON.stringify(config(shared)));
    const child = startCtvs(["--config", file], { env: { HOME: dir } });
    const warning = await child.waitFor(/^warning: recordings in /);
    assert.equal(
      warning,
      `warning: recordings in ${shared} are readable by other users of this host (mode 0755); run: chmod 700 ${shared}`,
    );
    await child.waitFor(/^OTLP listener bound on/);
    child.kill("SIGTERM");
    assert.equal((await child.exited).code, 0, child.transcript());
    // Its existing mode is the user's to change; what the collector created inside is private.
    assert.equal((await fs.stat(shared)).mode & 0o777, 0o755);
    assert.deepEqual(await exposedEntries(path.join(shared, "gw")), []);

    const fresh = path.join(dir, "new", "recordings");
    await fs.writeFile(file, JSON.stringify(config(fresh)));
    const second = startCtvs(["--config", file], { env: { HOME: dir } });
    await second.waitFor(/^OTLP listener bound on/);
    second.kill("SIGTERM");
    assert.equal((await second.exited).code, 0, second.transcript());
    assert.deepEqual(second.stderr, []);
    assert.deepEqual(await exposedEntries(path.join(dir, "new")), []);
  } finally {
    await remove();
  }
});
