import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { it } from "node:test";
import { ROOT } from "../../helpers/child.ts";

/** Every `.ts` file under `dir`, relative to the repo root. */
async function sources(dir: string): Promise<string[]> {
  const entries = await readdir(path.join(ROOT, dir), { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name))).sort();
}

it("server/ and storage/ import nothing from query/ or cli/ (design.md: imports point down)", async () => {
  const offending: string[] = [];
  for (const file of [...await sources("server"), ...await sources("storage")]) {
    const text = await readFile(path.join(ROOT, file), "utf8");
    for (const [, target] of text.matchAll(/^(?:import|export)[^"]*?from "(\.[^"]+)"/gm)) {
      const top = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), target)).split(path.sep)[0];
      if (top === "query" || top === "cli") offending.push(`${file} -> ${target}`);
    }
  }
  assert.deepEqual(offending, []);
});

it("ui/ (the page) imports its own files, its npm packages and the API's types only; nothing imports ui/", async () => {
  const offending: string[] = [];
  const uiFiles = (await readdir(path.join(ROOT, "ui"), { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && /\.tsx?$/.test(e.name))
    .map((e) => path.relative(ROOT, path.join(e.parentPath, e.name)));
  for (const file of uiFiles) {
    const text = await readFile(path.join(ROOT, file), "utf8");
    for (const [statement, target] of text.matchAll(/^(?:import|export)[^"]*?from "([^"]+)"/gm)) {
      // The answers' shapes are the server's own types: erased from the bundle.
      if (statement.startsWith("import type ") && target.endsWith("/server/ui/backend.ts")) continue;
      if (!target.startsWith(".")) {
        if (!/^(preact|uplot)(\/|$)/.test(target)) offending.push(`${file} -> ${target}`);
        continue;
      }
      const top = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), target)).split(path.sep)[0];
      if (top !== "ui") offending.push(`${file} -> ${target}`);
    }
  }
  for (const dir of ["cli", "server", "query", "storage", "platform"]) {
    for (const file of await sources(dir)) {
      const text = await readFile(path.join(ROOT, file), "utf8");
      for (const [, target] of text.matchAll(/^(?:import|export)[^"]*?from "(\.[^"]+)"/gm)) {
        const top = path.relative(ROOT, path.resolve(ROOT, path.dirname(file), target)).split(path.sep)[0];
        if (top === "ui") offending.push(`${file} -> ${target}`);
      }
    }
  }
  assert.deepEqual(offending, []);
});
