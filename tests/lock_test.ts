/**
 * deno.lock holds the packages of deno.json's import map and nothing else. Every `deno task` (a user's first
 * `npx -y deno@2 task start` too) downloads every package the lock holds, so a tool run once with an inline `npm:`
 * specifier (`deno task gen:proto` runs buf and protoc-gen-es, about 40 MB, with --no-lock for this reason) must not
 * stay in it.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "./helpers/child.ts";

interface Lock {
  specifiers: Record<string, string>;
  npm: Record<string, { dependencies?: string[]; optionalDependencies?: string[] }>;
}

/** The npm package of a specifier: `npm:/hono@^4/`, `npm:hono@~4.1.0` and the lock's `npm:hono@4.1` are `hono`. */
function packageOf(specifier: string): string {
  const spec = specifier.replace(/^npm:\/?/, "");
  return spec.slice(0, spec.indexOf("@", 1));
}

/** The lock's packages that none of its specifiers reaches through dependencies. */
function unreachable(lock: Lock): string[] {
  const nameOf = (key: string) => key.slice(0, key.indexOf("@", 1));
  const resolve = (dep: string) => {
    if (dep in lock.npm) return dep;
    const found = Object.keys(lock.npm).filter((key) => nameOf(key) === dep);
    assert.equal(found.length, 1, `deno.lock names ${dep} as a dependency: ${found.join(", ") || "no package"}`);
    return found[0];
  };
  const seen = new Set<string>();
  const stack = Object.entries(lock.specifiers).map(([spec, version]) =>
    `${spec.slice("npm:".length, spec.indexOf("@", "npm:".length + 1))}@${version}`
  );
  while (stack.length) {
    const key = resolve(stack.pop()!);
    if (seen.has(key)) continue;
    seen.add(key);
    stack.push(...(lock.npm[key].dependencies ?? []), ...(lock.npm[key].optionalDependencies ?? []));
  }
  return Object.keys(lock.npm).filter((key) => !seen.has(key));
}

test("deno.lock names only the import map's npm packages and what they depend on", async () => {
  const config = JSON.parse(await fs.readFile(path.join(ROOT, "deno.json"), "utf8"));
  const lock = JSON.parse(await fs.readFile(path.join(ROOT, "deno.lock"), "utf8")) as Lock;
  const wanted = new Set(
    Object.values(config.imports as Record<string, string>).filter((t) => t.startsWith("npm:")).map(packageOf),
  );
  const extra = Object.keys(lock.specifiers).filter((spec) => !wanted.has(packageOf(spec)));
  assert.deepEqual(extra, [], "run the tool with --no-lock, and remove these from deno.lock");
  assert.deepEqual(unreachable(lock), [], "packages of deno.lock that nothing in the import map needs");
});

test("the lock check finds a tool's packages left in the lock", () => {
  const lock: Lock = {
    specifiers: { "npm:hono@^4": "4.1.0" },
    npm: { "hono@4.1.0": {}, "tool@1.0.0": { optionalDependencies: ["tool-linux@1.0.0"] }, "tool-linux@1.0.0": {} },
  };
  assert.deepEqual(unreachable(lock), ["tool@1.0.0", "tool-linux@1.0.0"]);
  assert.deepEqual(["npm:/hono@^4/", "npm:@a/b@~1.13.0", "npm:@a/b@1.13"].map(packageOf), ["hono", "@a/b", "@a/b"]);
});
