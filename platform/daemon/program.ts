/**
 * The command line that starts this ctvs again later (from a service manager or a Claude Code hook): the compiled
 * binary, or the runtime plus the script. An npx cache path does not survive, so it is refused.
 *
 * @module
 */
import process from "node:process";
import { isDeno } from "../runtime.ts";
import { DENO_RUN_FLAGS, V8_FLAGS } from "../v8_flags.ts";

/** The message when the program lives in an npx cache. */
export const NPX_MESSAGE =
  "`ctvs install` requires a global install. Run `npm install -g collectivus` first, then `ctvs install`.";

/**
 * The argv that starts this ctvs: `[binary]` when compiled, `[deno, "run", "--allow-all", script]` under
 * `deno run`, `[node, script]` under Node.
 *
 * @param argv The process argv (default `process.argv`).
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(currentProgram(["/x/deno", "/tmp/deno-compile-ctvs/main.ts"])[0], "/x/deno");
 * ```
 */
export function currentProgram(argv: readonly string[] = process.argv): string[] {
  const [exec, script] = argv;
  // A compiled binary reports its embedded entry point under a deno-compile-* directory; it runs by itself.
  if (!script || /[/\\]deno-compile-/.test(script)) return [exec];
  return isDeno ? [exec, "run", "--allow-all", script] : [exec, script];
}

/**
 * `program` (from {@linkcode currentProgram}) with the V8 flags of a long-running ctvs (`platform/v8_flags.ts`):
 * after `run --allow-all` under Deno, before the script under Node; a compiled binary has them built in.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(withV8Flags(["/x/deno", "run", "--allow-all", "/s/main.ts"]), [
 *   "/x/deno", "run", "--allow-all", "--v8-flags=--max-semi-space-size=8", "--unstable-lazy-dynamic-imports", "/s/main.ts",
 * ]);
 * assert.deepEqual(withV8Flags(["/x/node", "/s/ctvs.mjs"]), ["/x/node", "--max-semi-space-size=8", "/s/ctvs.mjs"]);
 * assert.deepEqual(withV8Flags(["/x/ctvs"]), ["/x/ctvs"]);
 * ```
 */
export function withV8Flags(program: readonly string[]): string[] {
  if (program.length === 1) return [...program];
  if (program[1] === "run") return [...program.slice(0, -1), ...DENO_RUN_FLAGS, program[program.length - 1]];
  return [program[0], ...V8_FLAGS, ...program.slice(1)];
}

/** Whether any part of `program` lives in an npx cache, which npm may delete at any time. */
export function isNpxPath(program: readonly string[]): boolean {
  return program.some((part) => /[/\\]_npx[/\\]/.test(part));
}
