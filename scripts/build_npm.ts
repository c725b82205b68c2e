/**
 * Builds the npm package `collectivus` into `npm/dist/` (`deno task build:npm`):
 *
 * - `lib/`: `main.ts` (the `ctvs` command) and `mod.ts` (the library: `import { Collector } from "collectivus"`)
 *   bundled for Node 20+ by `deno bundle --platform node --code-splitting`, sharing chunks, each command in a chunk
 *   of its own that loads when it runs. Every npm dependency stays external (a bare `import "hono"`), so npm installs
 *   them and native ones (DuckDB) get their prebuilt bindings;
 * - `types/`: the library's type declarations (`scripts/npm_types.ts`);
 * - `bin/ctvs.mjs`: the launcher of both `ctvs` and `collectivus`, which starts Node with ctvs's V8 flags
 *   (`platform/v8_flags.ts`, as a compiled binary has them);
 * - `package.json`: the template `npm/package.json` plus `version` (from `platform/version.ts`) and `dependencies`
 *   (from deno.json's import map: `npm:name@range` becomes `name: range`, for the packages the bundle imports);
 * - `README.md`, and `LICENSE` when there is one.
 *
 * Then it checks that every bare import left in the bundle is a declared dependency or a Node builtin, and asks
 * `npm pack --dry-run` what the tarball would hold: the packed size is printed, and a source file, a source map or a
 * test in it fails the build.
 *
 * @module
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import { builtinModules } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { V8_FLAGS } from "../platform/v8_flags.ts";
import { VERSION } from "../platform/version.ts";
import { writeApiTypes } from "./npm_types.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));
/** Where the package is assembled unless `--out-dir` says otherwise. */
export const DIST: string = path.join(ROOT, "npm", "dist");
/** The bundle's folder inside the package: `lib/main.js` (the command), `lib/mod.js` (the library), chunks. */
export const LIB_DIR = "lib";

/** What a build writes, relative to the output folder; folders are only ever a build's own. */
const OUTPUT_FILES = ["package.json", "README.md", "LICENSE", "bin/ctvs.mjs"];
const OUTPUT_DIRS = [LIB_DIR, "types"];

/** One file of the tarball, as `npm pack --dry-run --json` lists it. */
export interface PackedFile {
  path: string;
  size: number;
}

/** What {@link buildNpm} made. */
export interface BuildResult {
  dir: string;
  /** The bundle's files (`lib/...`), relative to `dir`. */
  bundle: string[];
  bundleBytes: number;
  version: string;
  dependencies: Record<string, string>;
  /** The tarball's size and contents. */
  packed: { size: number; unpackedSize: number; files: PackedFile[] };
}

/**
 * The npm dependencies an import map declares: `"hono": "npm:hono@^4"` and `"hono/": "npm:/hono@^4/"` both give
 * `hono: "^4"`. Throws when two entries give one package different ranges, or an `npm:` entry has no range.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(
 *   npmDependencies({ "hono": "npm:hono@^4.1.0", "hono/": "npm:/hono@^4.1.0/", "@a/b": "npm:@a/b@1", "x": "./x.ts" }),
 *   { "@a/b": "1", "hono": "^4.1.0" },
 * );
 * ```
 */
export function npmDependencies(imports: Record<string, string>): Record<string, string> {
  const dependencies: Record<string, string> = {};
  for (const [key, target] of Object.entries(imports)) {
    if (!target.startsWith("npm:")) continue;
    const spec = target.slice("npm:".length).replace(/^\//, "").replace(/\/$/, "");
    const match = /^((?:@[^/@]+\/)?[^/@]+)@([^/]+)(?:\/.*)?$/.exec(spec);
    if (!match) throw new Error(`Cannot read import map entry "${key}": "${target}" has no name@range`);
    const [, name, range] = match;
    if (dependencies[name] !== undefined && dependencies[name] !== range) {
      throw new Error(
        `Cannot decide the range of ${name}: the import map gives both ${dependencies[name]} and ${range}`,
      );
    }
    dependencies[name] = range;
  }
  return Object.fromEntries(Object.entries(dependencies).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The package names of the bare module specifiers a bundle still imports (static, dynamic and side-effect imports);
 * `node:` builtins excluded.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const code = 'import { a } from "hono/cors";\nimport "x";\nawait import("@s/p");\nimport fs from "node:fs";';
 * assert.deepEqual(bareImports(code), ["@s/p", "hono", "x"]);
 * ```
 */
export function bareImports(code: string): string[] {
  const specifiers = [
    ...code.matchAll(/^\s*(?:import|export)\b[^;"'`]*?\bfrom\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
  ].map((match) => match[1]);
  const packages = specifiers
    .filter((s) => !s.startsWith(".") && !s.startsWith("/") && !s.startsWith("node:"))
    .map((s) => s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : s.split("/")[0]);
  return [...new Set(packages)].sort();
}

/** How {@link buildNpm} runs. */
export interface BuildOptions {
  /** Where to assemble the package (default `npm/dist`): missing, empty, or an earlier build. */
  outDir?: string;
  /** Progress lines go here. */
  log?: (line: string) => void;
}

/** Bundles and assembles the package; see the module doc. Throws when a step fails. */
export async function buildNpm(options: BuildOptions = {}): Promise<BuildResult> {
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.outDir ?? DIST);
  const denoJson = JSON.parse(await fs.readFile(path.join(ROOT, "deno.json"), "utf8"));
  // The import map also holds test-only packages (SDKs, exporters): every one stays external, and the manifest
  // declares only those the bundle really imports.
  const declared = npmDependencies(denoJson.imports ?? {});
  const template = JSON.parse(await fs.readFile(path.join(ROOT, "npm", "package.json"), "utf8"));

  await prepareOutDir(dir, template.name);
  const lib = path.join(dir, LIB_DIR);
  await bundle(lib, Object.keys(declared));
  const bundleFiles = (await fs.readdir(lib)).filter((f) => f.endsWith(".js")).sort();
  for (const entry of ["main.js", "mod.js"]) {
    if (!bundleFiles.includes(entry)) throw new Error(`deno bundle wrote no ${LIB_DIR}/${entry}`);
  }
  const code = (await Promise.all(bundleFiles.map((f) => fs.readFile(path.join(lib, f), "utf8")))).join("\n");
  const builtins = new Set(builtinModules);
  const imported = bareImports(code);
  const undeclared = imported.filter((name) => !(name in declared) && !builtins.has(name));
  const dependencies = Object.fromEntries(Object.entries(declared).filter(([name]) => imported.includes(name)));
  if (undeclared.length > 0) {
    throw new Error(
      `Cannot publish a bundle that imports undeclared packages: ${undeclared.join(", ")}; ` +
        `add them to deno.json's import map as npm: specifiers`,
    );
  }
  if (/["']npm:/.test(code)) throw new Error(`Cannot publish ${lib}: it still holds an npm: specifier`);
  await writeApiTypes(ROOT, path.join(dir, "types"));

  const { name, ...rest } = template;
  const manifest = { name, version: VERSION, ...rest, dependencies };
  await fs.writeFile(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  await fs.copyFile(path.join(ROOT, "npm", "README.md"), path.join(dir, "README.md"));
  const launcher = path.join(dir, "bin", "ctvs.mjs");
  await fs.writeFile(launcher, launcherWithFlags(await fs.readFile(path.join(ROOT, "npm", "bin", "ctvs.mjs"), "utf8")));
  await fs.chmod(launcher, 0o755);
  const license = path.join(ROOT, "LICENSE");
  if (await exists(license)) await fs.copyFile(license, path.join(dir, "LICENSE"));

  const packed = await dryRunPack(dir);
  const stray = packed.files.filter((f) => !allowedInPackage(f.path)).map((f) => f.path);
  if (stray.length > 0) {
    throw new Error(`Cannot publish ${dir}: the tarball would hold sources, maps or tests: ${stray.join(", ")}`);
  }
  const bundleBytes = packed.files.filter((f) => f.path.startsWith(`${LIB_DIR}/`)).reduce((n, f) => n + f.size, 0);
  const shown = dir.startsWith(ROOT) ? path.relative(ROOT, dir) : dir;
  log(`Built ${shown}/ (${name}@${VERSION}) for Node ${template.engines?.node ?? "20+"}`);
  log(`  ${LIB_DIR}/  ${formatSize(bundleBytes)} in ${bundleFiles.length} files (main.js: ctvs, mod.js: the library)`);
  for (const file of ["types/mod.d.ts", "bin/ctvs.mjs", "package.json", "README.md", "LICENSE"]) {
    const stat = await fs.stat(path.join(dir, file)).catch(() => undefined);
    if (stat) log(`  ${file}  ${formatSize(stat.size)}`);
  }
  log(`  external dependencies: ${Object.entries(dependencies).map(([n, r]) => `${n}@${r}`).join(", ") || "none"}`);
  log(`Packed: ${formatSize(packed.size)} (${formatSize(packed.unpackedSize)} unpacked, ${packed.files.length} files)`);
  return {
    dir,
    bundle: bundleFiles.map((f) => `${LIB_DIR}/${f}`),
    bundleBytes,
    version: VERSION,
    dependencies,
    packed,
  };
}

/**
 * Whether a file may ship in the tarball: built JavaScript, declarations, the manifest and docs; never TypeScript
 * sources, source maps or tests.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(allowedInPackage("lib/chunk-AB12.js"), true);
 * assert.equal(allowedInPackage("types/api/types.d.ts"), true);
 * assert.equal(allowedInPackage("lib/main.js.map"), false);
 * assert.equal(allowedInPackage("api/collector.ts"), false);
 * assert.equal(allowedInPackage("tests/api/collector_test.js"), false);
 * ```
 */
export function allowedInPackage(file: string): boolean {
  if (/(^|\/)(tests?|__tests__)\//.test(file) || /[._-]test\.[cm]?[jt]s$/.test(file)) return false;
  if (file.endsWith(".map")) return false;
  if (/\.[cm]?ts$/.test(file) && !/\.d\.[cm]?ts$/.test(file)) return false;
  return /^(lib\/[^/]+\.js|types\/.+\.d\.ts|bin\/ctvs\.mjs|package\.json|README\.md|LICENSE)$/.test(file);
}

/** The launcher template with ctvs's V8 flags in place of its placeholder. */
export function launcherWithFlags(template: string): string {
  const placeholder = "/* V8_FLAGS */ []";
  if (!template.includes(placeholder)) throw new Error(`npm/bin/ctvs.mjs lost its ${placeholder} placeholder`);
  return template.replace(placeholder, JSON.stringify(V8_FLAGS));
}

/** `npm pack --dry-run --json` in `dir`: the tarball's size and files, without writing it. */
async function dryRunPack(dir: string): Promise<BuildResult["packed"]> {
  const stdout = await new Promise<string>((resolve, reject) => {
    execFile(
      process.platform === "win32" ? "npm.cmd" : "npm",
      ["pack", "--dry-run", "--json", "--ignore-scripts"],
      { cwd: dir, maxBuffer: 64 << 20, shell: process.platform === "win32" },
      (error, out, err) =>
        error ? reject(new Error(`npm pack --dry-run failed: ${err || error.message}`)) : resolve(out),
    );
  });
  const [report] = JSON.parse(stdout.slice(stdout.indexOf("[")));
  return { size: report.size, unpackedSize: report.unpackedSize, files: report.files };
}

/**
 * Makes `dir` ready for a build: it must be missing, empty, or hold an earlier build of `packageName`. Only what a
 * build writes is removed, so a wrong `--out-dir` cannot delete anything else.
 */
async function prepareOutDir(dir: string, packageName: string): Promise<void> {
  const entries = await fs.readdir(dir).catch((error) => {
    if (error?.code === "ENOENT") return [];
    throw error;
  });
  if (entries.length > 0) {
    const previous = await fs.readFile(path.join(dir, "package.json"), "utf8").then(JSON.parse, () => undefined);
    if (previous?.name !== packageName) {
      throw new Error(`Cannot build into ${dir}: it is not empty and holds no earlier build of ${packageName}`);
    }
  }
  for (const file of OUTPUT_FILES) await fs.rm(path.join(dir, file), { force: true });
  // An earlier build's (or the old single-file layout's) bundle; chunk names change from build to build.
  for (const folder of OUTPUT_DIRS) await fs.rm(path.join(dir, folder), { recursive: true, force: true });
  await fs.rm(path.join(dir, "ctvs.mjs"), { force: true });
  await fs.mkdir(path.join(dir, "bin"), { recursive: true });
}

/** Runs `deno bundle` on main.ts and mod.ts into `outDir`; throws with its output when it fails. */
async function bundle(outDir: string, externals: string[]): Promise<void> {
  const args = ["bundle", "--platform", "node", "--format", "esm", "--code-splitting", "--outdir", outDir];
  // `--external` takes several values: the `=` form keeps it from swallowing the entry points.
  for (const name of externals) args.push(`--external=${name}`);
  args.push(path.join(ROOT, "main.ts"), path.join(ROOT, "mod.ts"));
  const result = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  if (!result.success) {
    const text = bundlerOutput(result.stderr) + bundlerOutput(result.stdout);
    throw new Error(`deno bundle failed (exit ${result.code}):\n${text.trim()}`);
  }
}

/** deno bundle's messages without its "experimental" banner and empty backtrace. */
function bundlerOutput(bytes: Uint8Array): string {
  const lines = new TextDecoder().decode(bytes).split("\n");
  const kept = lines.filter((line) => !/is experimental|^Stack backtrace:|^\s+0: <unknown>/.test(line));
  return kept.join("\n").trim() + "\n";
}

async function exists(file: string): Promise<boolean> {
  return await fs.stat(file).then(() => true, () => false);
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
}

const USAGE = `Usage: deno task build:npm [--out-dir <dir>]

Bundles main.ts (the ctvs command) and mod.ts (the library) for Node 20+ and assembles the npm package collectivus
(default: npm/dist); prints what the tarball would weigh.`;

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: { "out-dir": { type: "string" }, "help": { type: "boolean", short: "h" } },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    await buildNpm({ outDir: values["out-dir"], log: (line) => console.log(line) });
  } catch (error) {
    console.error(`error: cannot build the npm package: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
