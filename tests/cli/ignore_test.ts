/**
 * `ctvs ignore` on a real config file with comments: messages, exit codes, normalization, comments kept.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runIgnore } from "../../cli/ignore.ts";
import { report } from "../../cli/main.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";

test("ctvs ignore add, list, remove keep the config's comments and other keys", async () => {
  const host = await fakeHost();
  try {
    const file = path.join(host.home, ".hyp", "collectivus.json");
    const original = '{\n  // mine\n  "version": 1\n}\n';
    await fs.mkdir(path.join(host.home, "work", "repo"), { recursive: true });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, original);
    const real = await fs.realpath(host.home);
    const run = async (argv: string[]) => {
      const io = captureIo();
      let code: number;
      try {
        code = await runIgnore(argv, io, host, path.join(host.home, "work"));
      } catch (error) {
        code = report(error, io);
      }
      return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
    };
    assert.deepEqual(await run(["add", "repo/"]), { code: 0, stdout: `✓ Ignoring ${real}/work/repo`, stderr: "" });
    assert.deepEqual(await run(["add", `${host.home}/work/repo`]), {
      code: 0,
      stdout: `(already ignoring ${real}/work/repo)`,
      stderr: "",
    });
    assert.deepEqual(await run(["add", "missing/dir"]), {
      code: 0,
      stdout: `✓ Ignoring ${real}/work/missing/dir`,
      stderr: "",
    });
    assert.equal(
      await fs.readFile(file, "utf8"),
      `{\n  // mine\n  "version": 1,\n  "ignored_paths": [\n    "${real}/work/repo",\n    "${real}/work/missing/dir"\n  ]\n}\n`,
    );
    assert.deepEqual(await run(["list"]), {
      code: 0,
      stdout: `${real}/work/repo\n${real}/work/missing/dir`,
      stderr: "",
    });
    assert.deepEqual(await run(["remove", "missing/dir"]), {
      code: 0,
      stdout: `✓ Removed ${real}/work/missing/dir`,
      stderr: "",
    });
    assert.deepEqual(await run(["remove", "repo"]), { code: 0, stdout: `✓ Removed ${real}/work/repo`, stderr: "" });
    assert.equal(await fs.readFile(file, "utf8"), original);
    assert.deepEqual(await run(["remove", "repo"]), {
      code: 1,
      stdout: "",
      stderr: `error: ${real}/work/repo was not in the ignore list`,
    });
    assert.equal((await run(["frob"])).code, 2);
    assert.equal((await run(["add"])).stderr.split("\n")[0], "error: ctvs ignore add requires a path");
  } finally {
    await host.remove();
  }
});
