/**
 * The example program of docs/api.md, which tests run as it is: under Node from the installed npm package, and under
 * Deno from this repository's `mod.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { ROOT } from "./child.ts";

/** The example program of docs/api.md (the code block after its `example: api_example.mjs` marker). */
export async function apiExample(): Promise<string> {
  const doc = await fs.readFile(path.join(ROOT, "docs", "api.md"), "utf8");
  const match = /<!-- example: api_example\.mjs -->\s*```js\n([\s\S]*?)```/.exec(doc);
  assert.ok(match, "docs/api.md has the example block");
  return match[1];
}

/** What the example prints, ports aside. */
export function assertExampleOutput(stdout: string): void {
  assert.deepEqual(stdout.trim().split("\n").map((line) => line.replace(/127\.0\.0\.1:\d+/g, "127.0.0.1:PORT")), [
    "OTLP receiver on http://127.0.0.1:PORT, proxy on http://127.0.0.1:PORT",
    "log: hello from my app",
    "OTLP answered 200",
    "Anthropic answered 200",
    "recorded: anthropic POST /v1/messages -> 200",
  ]);
}
