/**
 * Builds the npm package `collectivus` into `npm/dist/` (`deno task build:npm`):
 *
 * - `ctvs.mjs`: `main.ts` bundled for Node 20+ by `deno bundle --platform node`, with every npm dependency kept
 *   external (a bare `import "hono"`), so npm installs them and native ones (DuckDB) get their prebuilt bindings;
 * - `package.json`: the template `npm/package.json` plus `version` (from `platform/version.ts`) and `dependencies`
 *   (from deno.json's import map: `npm:name@range` becomes `name: range`, for the packages the bundle imports);
 * - `bin/ctvs.mjs` (the launcher of both `ctvs` and `collectivus`), `README.md` and `LICENSE` when there is one.
 *
 * Then it checks that every bare import left in the bundle is a declared dependency or a Node builtin.
 *
 * @module
 */
import fs from "node:fs/promises";
import { builtinModules } from "node:module";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { VERSION } from "../platform/version.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));
/** Where the package is assembled unless `--out-dir` says otherwise. */
export const DIST: string = path.join(ROOT, "npm", "dist");
/** The bundle's name inside the package. */
export const BUNDLE_NAME = "ctvs.mjs";

/** Every file a build writes, relative to the output folder. */
const OUTPUT_FILES = [BUNDLE_NAME, "package.json", "README.md", "LICENSE", "bin/ctvs.mjs"];

/** What {@link buildNpm} made. */
export interface BuildResult {
  dir: string;
  bundle: string;
  bundleBytes: number;
  version: string;
  dependencies: Record<string, string>;
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
  const bundle = path.join(dir, BUNDLE_NAME);
  await bundleMain(bundle, Object.keys(declared));

  const code = await fs.readFile(bundle, "utf8");
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
  if (/["']npm:/.test(code)) throw new Error(`Cannot publish ${bundle}: it still holds an npm: specifier`);

  const { name, ...rest } = template;
  const manifest = { name, version: VERSION, ...rest, dependencies };
  await fs.writeFile(path.join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  await fs.copyFile(path.join(ROOT, "npm", "README.md"), path.join(dir, "README.md"));
  const launcher = path.join(dir, "bin", "ctvs.mjs");
  await fs.copyFile(path.join(ROOT, "npm", "bin", "ctvs.mjs"), launcher);
  await fs.chmod(launcher, 0o755);
  const license = path.join(ROOT, "LICENSE");
  if (await exists(license)) await fs.copyFile(license, path.join(dir, "LICENSE"));

  const bundleBytes = (await fs.stat(bundle)).size;
  const shown = dir.startsWith(ROOT) ? path.relative(ROOT, dir) : dir;
  log(`Built ${shown}/ (${name}@${VERSION}) for Node ${template.engines?.node ?? "20+"}`);
  log(`  ${BUNDLE_NAME}  ${formatSize(bundleBytes)}`);
  for (const file of ["package.json", "README.md", "bin/ctvs.mjs", "LICENSE"]) {
    const stat = await fs.stat(path.join(dir, file)).catch(() => undefined);
    if (stat) log(`  ${file}  ${formatSize(stat.size)}`);
  }
  log(`  external dependencies: ${Object.entries(dependencies).map(([n, r]) => `${n}@${r}`).join(", ") || "none"}`);
  return { dir, bundle, bundleBytes, version: VERSION, dependencies };
}

/**
 * Makes `dir` ready for a build: it must be missing, empty, or hold an earlier build of `packageName`. Only the
 * files a build writes are removed: never a folder, so a wrong `--out-dir` cannot delete anything else.
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
  await fs.mkdir(path.join(dir, "bin"), { recursive: true });
}

/** Runs `deno bundle` on main.ts; throws with its output when it fails. */
async function bundleMain(output: string, externals: string[]): Promise<void> {
  const args = ["bundle", "--platform", "node", "--format", "esm", "--output", output];
  // `--external` takes several values: the `=` form keeps it from swallowing the entry point.
  for (const name of externals) args.push(`--external=${name}`);
  args.push(path.join(ROOT, "main.ts"));
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
  if (!(await exists(output))) {
    throw new Error(`deno bundle exited 0 but wrote no ${output}:\n${bundlerOutput(result.stderr).trim()}`);
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

Bundles main.ts for Node 20+ and assembles the npm package collectivus (default: npm/dist).`;

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
