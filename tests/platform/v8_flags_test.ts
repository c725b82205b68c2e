import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { currentProgram } from "../../platform/daemon/program.ts";
import { DENO_V8_FLAGS, V8_FLAGS } from "../../platform/v8_flags.ts";
import { compileArgs } from "../../scripts/compile.ts";
import { denoRun, ROOT } from "../helpers/child.ts";

test("every way ctvs starts carries its V8 flags: deno tasks, compiled binaries, the daemon, test children", async () => {
  assert.equal(DENO_V8_FLAGS, "--v8-flags=--max-semi-space-size=8");
  const { tasks } = JSON.parse(await readFile(path.join(ROOT, "deno.json"), "utf8"));
  for (const name of ["start", "ctvs"]) {
    assert.match(tasks[name], new RegExp(`^deno run --allow-all ${DENO_V8_FLAGS} main\\.ts`), name);
  }
  assert.ok(compileArgs("x86_64-unknown-linux-gnu").includes(DENO_V8_FLAGS));
  // Under deno run the flag goes before the script; a compiled binary has it built in and runs by itself.
  assert.deepEqual(currentProgram(["/x/deno", "/src/main.ts"]), [
    "/x/deno",
    "run",
    "--allow-all",
    DENO_V8_FLAGS,
    "/src/main.ts",
  ]);
  assert.deepEqual(currentProgram(["/x/ctvs", "/tmp/deno-compile-ctvs/main.ts"]), ["/x/ctvs"]);
  const [, args] = denoRun("main.ts", []);
  assert.ok(args.indexOf(DENO_V8_FLAGS) < args.indexOf(path.join(ROOT, "main.ts")));
  assert.deepEqual(V8_FLAGS, ["--max-semi-space-size=8"]);
});
