/**
 * How the walkthrough finds a Gas City: city.toml in the working directory, else the cities of the supervisor that
 * ~/.gc/supervisor.toml (or $GC_HOME's) places, with their directories when they are on this disk.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { detectGasCity } from "../../cli/gascity/detect.ts";
import { SupervisorDouble } from "../fixtures/gascity_supervisor.ts";
import { freePort, tempDir } from "../helpers/child.ts";

async function cityDir(parent: string, name: string): Promise<string> {
  const dir = path.join(parent, name);
  await fs.mkdir(dir, { recursive: true });
  await fs.writeFile(path.join(dir, "city.toml"), `[workspace]\nname = "${name}"\n`);
  return dir;
}

test("detectGasCity(): the working directory's city, else the supervisor's cities, else nothing", async () => {
  const tmp = await tempDir("ctvs-gc-detect-");
  const supervisor = await SupervisorDouble.start({
    cities: ["bright-lights", "harbor", "remote"],
    cityPaths: {
      "bright-lights": path.join(tmp.dir, "bright-lights"),
      harbor: path.join(tmp.dir, "harbor"),
      remote: "/on/another/host",
    },
  });
  try {
    const here = await cityDir(tmp.dir, "bright-lights");
    await cityDir(tmp.dir, "harbor");
    const gcHome = path.join(tmp.dir, "gc");
    await fs.mkdir(gcHome);
    const supervisorAt = (port: number) =>
      fs.writeFile(path.join(gcHome, "supervisor.toml"), `[supervisor]\nport = ${port}\nbind = "0.0.0.0"\n`);
    const env = { GC_HOME: gcHome };

    await supervisorAt(supervisor.port);
    assert.deepEqual(await detectGasCity(here, env, tmp.dir), {
      apiUrl: supervisor.url,
      cities: [{ name: "bright-lights", dir: here }],
      here: true,
      served: ["bright-lights", "harbor", "remote"],
    });
    // Not in a city: every city the supervisor serves, a directory only where its city.toml is on this disk.
    assert.deepEqual(await detectGasCity(tmp.dir, env, tmp.dir), {
      apiUrl: supervisor.url,
      cities: [
        { name: "bright-lights", dir: here },
        { name: "harbor", dir: path.join(tmp.dir, "harbor") },
        { name: "remote" },
      ],
      here: false,
      served: ["bright-lights", "harbor", "remote"],
    });

    // No supervisor answering: the city here is still offered (the collector keeps trying), nothing elsewhere.
    const closed = await freePort();
    await supervisorAt(closed);
    assert.deepEqual(await detectGasCity(here, env, tmp.dir), {
      apiUrl: `http://127.0.0.1:${closed}`,
      cities: [{ name: "bright-lights", dir: here }],
      here: true,
    });
    assert.equal(await detectGasCity(tmp.dir, env, tmp.dir), undefined);
    // A city.toml that does not parse is not a city to offer; the walkthrough goes on.
    await fs.writeFile(path.join(here, "city.toml"), "[workspace\n");
    assert.equal(await detectGasCity(here, env, tmp.dir), undefined);
  } finally {
    await supervisor.close();
    await tmp.remove();
  }
});
