/**
 * The command line that starts this ctvs again later (from a service manager or a Claude Code hook): the compiled
 * binary, or the runtime plus the script. An npx cache path does not survive, so it is refused.
 *
 * @module
 */
import process from "node:process";
import { isDeno } from "../runtime.ts";
import { DENO_V8_FLAGS, V8_FLAGS } from "../v8_flags.ts";

/** The message when the program lives in an npx cache. */
export const NPX_MESSAGE =
  "`ctvs install` requires a global install. Run `npm install -g collectivus` first, then `ctvs install`.";

/**
 * The argv that starts this ctvs: `[binary]` when compiled (its V8 flags are built in), `[deno, "run",
 * "--allow-all", "--v8-flags=...", script]` under `deno run`, `[node, ...flags, script]` under Node (flags from
 * `platform/v8_flags.ts`).
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
  return isDeno ? [exec, "run", "--allow-all", DENO_V8_FLAGS, script] : [exec, ...V8_FLAGS, script];
}

/** Whether any part of `program` lives in an npx cache, which npm may delete at any time. */
export function isNpxPath(program: readonly string[]): boolean {
  return program.some((part) => /[/\\]_npx[/\\]/.test(part));
}
