import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { currentProgram } from "../../platform/daemon/program.ts";
import { daemonArgv } from "../../platform/daemon/service_spec.ts";
import { DENO_RUN_FLAGS, DENO_V8_FLAGS, V8_FLAGS } from "../../platform/v8_flags.ts";
import { compileArgs } from "../../scripts/compile.ts";
import { denoRun, ROOT } from "../helpers/child.ts";

test("every long-running ctvs starts with its V8 flags: deno tasks, compiled binaries, the daemon, test children", async () => {
  assert.equal(DENO_V8_FLAGS, "--v8-flags=--max-semi-space-size=8");
  const { tasks } = JSON.parse(await readFile(path.join(ROOT, "deno.json"), "utf8"));
  for (const name of ["start", "ctvs"]) {
    assert.match(tasks[name], new RegExp(`^deno run --allow-all ${DENO_RUN_FLAGS.join(" ")} main\\.ts`), name);
  }
  assert.ok(compileArgs("x86_64-unknown-linux-gnu").includes(DENO_V8_FLAGS));
  // Lazy dynamic imports are for `deno run` only: a compiled binary must hold every module.
  assert.ok(!compileArgs("x86_64-unknown-linux-gnu").some((arg) => arg.includes("lazy-dynamic-imports")));
  // The daemon's command line has them (hooks, short-lived, start without); a compiled binary has them built in.
  const spec = { program: currentProgram(["/x/deno", "/src/main.ts"]), configPath: "/c.json", logDir: "/l" };
  assert.deepEqual(daemonArgv(spec), [
    "/x/deno",
    "run",
    "--allow-all",
    ...DENO_RUN_FLAGS,
    "/src/main.ts",
    "--config",
    "/c.json",
  ]);
  assert.deepEqual(daemonArgv({ ...spec, program: ["/x/ctvs"] }), ["/x/ctvs", "--config", "/c.json"]);
  const [, args] = denoRun("main.ts", []);
  assert.ok(args.indexOf(DENO_V8_FLAGS) < args.indexOf(path.join(ROOT, "main.ts")));
  assert.ok(DENO_RUN_FLAGS.every((flag) => args.includes(flag)));
  assert.deepEqual(V8_FLAGS, ["--max-semi-space-size=8"]);
});
