/**
 * Imports point down (design.md, "Layout"; docs/development.md says the same):
 *
 * - `cli` -> `server`, `query`, `storage`, `platform`
 * - `server` -> `storage`, `platform`
 * - `query` -> `storage`, `platform`
 * - `storage` -> `platform`; `platform` -> nothing of the program
 * - `api` (the programmatic API) -> `server`, `storage`, `platform`
 * - `main.ts` -> `cli`, `platform`; `mod.ts` (the library entry) -> `api`, `platform`
 * - `ui/` (the web page, built apart and embedded as text) -> its own files, its npm packages (Preact, uPlot) and, as
 *   types only (erased from the bundle), the shapes of the server's answers
 *
 * so nothing imports `cli` but `main.ts`, `api` but `mod.ts`, or `ui` at all. The folders of `server/` are separate
 * concerns (a listener, a service, a client): one imports `server/`'s own files, where what they share lives, and
 * never a sibling folder. Checked for every folder, on the module graph Deno itself resolves (`deno info --json`), so
 * every kind of import counts: static, type-only, side-effect, re-exports, dynamic `import()` in code and `import()` in
 * a type. A dynamic import of a computed target cannot be checked, so it is refused. And docs/development.md's layout
 * names every folder of each part, so it cannot fall behind the tree.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { ROOT, tempDir } from "./helpers/child.ts";

/** What each part of the program may import besides itself. */
const MAY_IMPORT: Record<string, string[]> = {
  "main.ts": ["cli", "platform"],
  "mod.ts": ["api", "platform"],
  api: ["server", "storage", "platform"],
  cli: ["server", "query", "storage", "platform"],
  server: ["storage", "platform"],
  query: ["storage", "platform"],
  storage: ["platform"],
  platform: [],
  ui: [],
};

/** The npm packages a part may import, where it is restricted (elsewhere: any in deno.json's import map). */
const MAY_IMPORT_PACKAGES: Record<string, RegExp> = { ui: /^npm:\/?(preact|uplot)@/ };

/**
 * Parts whose folders are separate concerns: a file in one of their folders may import the part's own top-level files
 * (what the folders share) and its own folder, never a sibling folder (server/proxy/ cannot import server/central/).
 */
const SEPARATE_FOLDERS = ["server"];

/** Files a part may import types from (`import type`) beyond what it may import. */
const MAY_IMPORT_TYPES: Record<string, string[]> = { ui: ["server/ui/backend.ts"] };

interface Dependency {
  specifier: string;
  code?: { specifier?: string };
  type?: { specifier?: string };
}

/** Every `.ts` file of the parts under `root`, relative to it, with `/` separators. */
async function sources(root: string): Promise<string[]> {
  const files: string[] = [];
  for (const part of Object.keys(MAY_IMPORT)) {
    if (part.endsWith(".ts")) {
      if (await stat(path.join(root, part)).then(() => true, () => false)) files.push(part);
      continue;
    }
    const entries = await readdir(path.join(root, part), { recursive: true, withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      if (e.isFile() && /\.tsx?$/.test(e.name)) {
        files.push(path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join("/"));
      }
    }
  }
  return files.sort();
}

/** The part a file of `root` belongs to (`cli`, ..., `main.ts`), or undefined outside the program. */
function partOf(root: string, url: string): string | undefined {
  if (!url.startsWith("file:")) return undefined;
  const relative = path.relative(root, new URL(url).pathname).split(path.sep);
  return relative[0] in MAY_IMPORT && relative[0] !== ".." ? relative[0] : undefined;
}

/** The folder of a separate-folders part that a file path is in (`server/proxy`), or undefined. */
function folderOf(file: string): string | undefined {
  const [part, folder, ...rest] = file.split("/");
  return SEPARATE_FOLDERS.includes(part) && rest.length > 0 ? `${part}/${folder}` : undefined;
}

/** The path of a file URL relative to `root`, with `/` separators. */
function relativeTo(root: string, url: string): string {
  return path.relative(root, new URL(url).pathname).split(path.sep).join("/");
}

/** The imports of the program under `root` that reach a part they may not. */
async function violations(root: string): Promise<string[]> {
  const files = await sources(root);
  const { dir, remove } = await tempDir("ctvs-layering-");
  try {
    const entry = path.join(dir, "all.ts");
    await writeFile(entry, files.map((f) => `import "${pathToFileURL(path.join(root, f)).href}";\n`).join(""));
    const config = path.join(ROOT, "deno.json");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["info", "--json", "--config", config, pathToFileURL(entry).href],
      { maxBuffer: 256 * 2 ** 20 },
    );
    const graph = JSON.parse(stdout) as { modules: { specifier: string; dependencies?: Dependency[] }[] };
    const out: string[] = [];
    for (const module of graph.modules) {
      const from = partOf(root, module.specifier);
      if (from === undefined) continue;
      const file = relativeTo(root, module.specifier);
      for (const dependency of module.dependencies ?? []) {
        const typeOnly = dependency.code === undefined;
        for (const target of [dependency.code?.specifier, dependency.type?.specifier]) {
          if (!target) continue;
          if (typeOnly && MAY_IMPORT_TYPES[from]?.includes(relativeTo(root, target))) continue;
          const to = partOf(root, target);
          const packages = MAY_IMPORT_PACKAGES[from];
          if (to ? to !== from && !MAY_IMPORT[from].includes(to) : packages && !packages.test(target)) {
            out.push(`${file} -> ${dependency.specifier}`);
          } else if (to === from && folderOf(file) !== undefined) {
            const folder = folderOf(relativeTo(root, target));
            if (folder !== undefined && folder !== folderOf(file)) out.push(`${file} -> ${dependency.specifier}`);
          }
        }
      }
      // deno info leaves out what it cannot resolve statically.
      const code = await readFile(new URL(module.specifier), "utf8");
      for (const line of code.split("\n")) {
        if (/^\s*(\*|\/\/)/.test(line)) continue;
        if (/\bimport\s*\(\s*(?!["'][^"'`$]*["']\s*[,)])/.test(line)) {
          out.push(`${file}: import() of a computed target`);
        }
      }
    }
    return [...new Set(out)].sort();
  } finally {
    await remove();
  }
}

test("the layering check sees static, type-only, side-effect, re-exported and dynamic imports", async () => {
  const { dir, remove } = await tempDir("ctvs-layering-fixture-");
  try {
    const write = async (file: string, text: string) => {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    };
    for (const f of ["query/a.ts", "query/c.ts", "query/d.ts", "server/s.ts", "cli/b.ts", "cli/e.ts"]) {
      await write(f, "export const a = 1;\nexport const b = 1;\nexport const c = 1;\nexport type E = number;\n");
    }
    await write("platform/fine.ts", "export const fine = 1;\n");
    await write(
      "storage/x.ts",
      `import type { a } from "../query/a.ts";
import {
  b,
} from "../cli/b.ts";
import "../server/s.ts";
export { c } from "../query/c.ts";
import { fine } from "../platform/fine.ts";
const d = await import("../query/d.ts");
type E = import("../cli/e.ts").E;
const which = "d";
const f = await import(\`../query/\${which}.ts\`);
// import { commented } from "../cli/b.ts";
export { b, d, f, fine };
export type { a, E };
`,
    );
    await write("server/ui/backend.ts", "export type Shape = number;\nexport const value = 1;\n");
    await write(
      "ui/page.tsx",
      'import { a } from "../query/a.ts";\nimport "hono";\nimport { h } from "preact";\n' +
        'import type { Shape } from "../server/ui/backend.ts";\nimport { value } from "../server/ui/backend.ts";\n',
    );
    await write("cli/y.ts", 'import "../ui/page.tsx";\n');
    await write("server/shared.ts", 'import "./proxy/p.ts";\nexport const shared = 1;\n');
    await write("server/proxy/p.ts", "export const p = 1;\n");
    await write("server/proxy/upstream/u.ts", 'import "../p.ts";\nimport "../../shared.ts";\n');
    await write("server/central/c.ts", 'import "../shared.ts";\nimport "../proxy/upstream/u.ts";\n');
    assert.deepEqual(await violations(dir), [
      "cli/y.ts -> ../ui/page.tsx",
      "server/central/c.ts -> ../proxy/upstream/u.ts",
      "storage/x.ts -> ../cli/b.ts",
      "storage/x.ts -> ../cli/e.ts",
      "storage/x.ts -> ../query/a.ts",
      "storage/x.ts -> ../query/c.ts",
      "storage/x.ts -> ../query/d.ts",
      "storage/x.ts -> ../server/s.ts",
      "storage/x.ts: import() of a computed target",
      "ui/page.tsx -> ../query/a.ts",
      "ui/page.tsx -> ../server/ui/backend.ts",
      "ui/page.tsx -> hono",
    ]);
  } finally {
    await remove();
  }
});

test("every folder imports only the layers below it (design.md: imports point down)", async () => {
  assert.deepEqual(await violations(ROOT), []);
});

test("docs/development.md's layout names every folder of the program", async () => {
  const doc = await readFile(path.join(ROOT, "docs", "development.md"), "utf8");
  const layout = /## Layout\n\n```\n([\s\S]*?)\n```/.exec(doc)?.[1] ?? "";
  // Each part's block: its line (`server/ ...`) and the indented lines under it.
  const blocks = new Map<string, string>();
  let part = "";
  for (const line of layout.split("\n")) {
    const top = /^([a-z][\w.]*\/?)\s/.exec(line)?.[1];
    if (top) part = top.replace(/\/$/, "");
    blocks.set(part, (blocks.get(part) ?? "") + line + "\n");
  }
  const missing: string[] = [];
  for (const part of Object.keys(MAY_IMPORT)) {
    if (!blocks.has(part)) missing.push(part);
    if (part.endsWith(".ts")) continue;
    const folders = await readdir(path.join(ROOT, part), { withFileTypes: true });
    for (const folder of folders.filter((e) => e.isDirectory()).map((e) => e.name)) {
      if (!new RegExp(`(^|\\s)${folder}/`, "m").test(blocks.get(part) ?? "")) missing.push(`${part}/${folder}/`);
    }
  }
  assert.deepEqual(missing, [], "docs/development.md's layout lacks these");
});
