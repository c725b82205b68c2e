/**
 * Stages what `ctvs` needs at run time into a folder of its own: the source files `main.ts` reaches (its module
 * graph, dynamic imports included), a `deno.json` whose import map keeps only the npm packages that graph imports, the
 * lock pruned to match, and a `node_modules/` installed for one OS and CPU. The container image runs from such a
 * folder, and `deno task compile` compiles each target from one, so a binary embeds its own platform's DuckDB binding
 * and no test-only package (SDKs, exporters, buf, TypeScript).
 *
 * Usage: `deno run -A scripts/stage_runtime.ts --out <dir> [--os linux|darwin|win32] [--arch x64|arm64]`
 *
 * @module
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { DENO_RUN_FLAGS } from "../platform/v8_flags.ts";

/** The repository root. */
export const ROOT: string = fileURLToPath(new URL("..", import.meta.url));

/** An npm platform, as npm and `deno install --os/--arch` name it. */
export interface NpmPlatform {
  os: "linux" | "darwin" | "win32";
  arch: "x64" | "arm64";
}

/** What {@link stageRuntime} staged. */
export interface StagedRuntime {
  /** The staging folder. */
  dir: string;
  /** The source files copied, relative to the root, sorted. */
  files: string[];
  /** The npm packages the program imports (by name), sorted. */
  packages: string[];
  /** The platform `node_modules/` was installed for. */
  platform: NpmPlatform;
}

/** The npm package a bare specifier names: `hono/utils/url` is `hono`, `@a/b/c` is `@a/b`. */
export function packageName(specifier: string): string {
  const parts = specifier.replace(/^npm:\/?/, "").split("/");
  const name = specifier.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0];
  return name.replace(/(.)@.*$/, "$1");
}

/**
 * The import map entries whose package is one of `packages`; the rest (test-only packages) are dropped.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const imports = { "hono": "npm:hono@^4", "hono/": "npm:/hono@^4/", "openai": "npm:openai@^7" };
 * assert.deepEqual(runtimeImports(imports, ["hono"]), { "hono": "npm:hono@^4", "hono/": "npm:/hono@^4/" });
 * ```
 */
export function runtimeImports(imports: Record<string, string>, packages: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(imports).filter(([key]) => packages.includes(packageName(key))));
}

/**
 * The lock with only the specifiers the import map still uses, so `deno install` keeps their versions and drops the
 * packages nothing imports (the lock also remembers tools run once, such as `npm:@bufbuild/buf`).
 */
export function pruneLock(lock: Record<string, unknown>, imports: Record<string, string>): Record<string, unknown> {
  const wanted = new Set(Object.values(imports).map((target) => target.replace(/^npm:\//, "npm:").replace(/\/$/, "")));
  const specifiers = Object.fromEntries(
    Object.entries((lock.specifiers ?? {}) as Record<string, string>).filter(([spec]) => wanted.has(spec)),
  );
  const workspace = { ...(lock.workspace as Record<string, unknown> ?? {}), dependencies: [...wanted].sort() };
  return { ...lock, specifiers, workspace };
}

/** The module graph of `entry` as `deno info --json` reports it. */
interface DenoInfo {
  modules: { specifier: string; local?: string; dependencies?: { specifier: string }[] }[];
}

/** The local files and the npm packages `main.ts` reaches. */
export async function runtimeGraph(root: string = ROOT): Promise<{ files: string[]; packages: string[] }> {
  const { stdout } = await run(Deno.execPath(), ["info", "--json", "main.ts"], root);
  const info = JSON.parse(stdout) as DenoInfo;
  const rootUrl = pathToFileURL(root.endsWith(path.sep) ? root : root + path.sep).href;
  const files = new Set<string>();
  const packages = new Set<string>();
  for (const module of info.modules) {
    if (module.specifier.startsWith(rootUrl)) files.add(fileURLToPath(module.specifier).slice(root.length));
    for (const { specifier } of module.dependencies ?? []) {
      if (/^(\.|\/|node:|file:|https?:)/.test(specifier)) continue;
      packages.add(packageName(specifier));
    }
  }
  return {
    files: [...files].map((f) => f.replace(/^[/\\]/, "").split(path.sep).join("/")).sort(),
    packages: [...packages].sort(),
  };
}

/** The platform this process runs on. */
export function hostPlatform(): NpmPlatform {
  return { os: process.platform as NpmPlatform["os"], arch: process.arch as NpmPlatform["arch"] };
}

/** How {@link stageRuntime} runs. */
export interface StageOptions {
  /** The staging folder: missing, empty or an earlier staging (its files are replaced). */
  out: string;
  /** The platform to install npm packages for (default: this one). */
  platform?: NpmPlatform;
  /** The repository to stage from (default: this one). */
  root?: string;
  /**
   * Also write `bin/ctvs`, a POSIX shell launcher that runs the staged `main.ts` with the `deno` on PATH, as a
   * compiled binary runs (all permissions, ctvs's V8 flags, nothing fetched): the container image's `ctvs`.
   */
  launcher?: boolean;
  /** Progress lines go here. */
  log?: (line: string) => void;
}

/** Stages the runtime; see the module doc. Throws with Deno's output when a step fails. */
export async function stageRuntime(options: StageOptions): Promise<StagedRuntime> {
  const root = options.root ?? ROOT;
  const platform = options.platform ?? hostPlatform();
  const log = options.log ?? (() => {});
  const dir = path.resolve(options.out);
  const { files, packages } = await runtimeGraph(root);

  await fs.mkdir(dir, { recursive: true });
  for (const file of files) {
    await fs.mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await fs.copyFile(path.join(root, file), path.join(dir, file));
  }
  const denoJson = JSON.parse(await fs.readFile(path.join(root, "deno.json"), "utf8"));
  const imports = runtimeImports(denoJson.imports ?? {}, packages);
  const staged = {
    nodeModulesDir: "auto",
    unstable: denoJson.unstable,
    imports,
    compilerOptions: denoJson.compilerOptions,
  };
  const writeDenoJson = (mode: string) =>
    fs.writeFile(path.join(dir, "deno.json"), JSON.stringify({ ...staged, nodeModulesDir: mode }, null, 2) + "\n");
  await writeDenoJson("auto");
  const lock = JSON.parse(await fs.readFile(path.join(root, "deno.lock"), "utf8"));
  await fs.writeFile(path.join(dir, "deno.lock"), JSON.stringify(pruneLock(lock, imports), null, 2) + "\n");
  log(`Staged ${files.length} source files and ${packages.length} npm packages into ${dir}`);

  // A node_modules from another platform would keep its bindings: start from none.
  await fs.rm(path.join(dir, "node_modules"), { recursive: true, force: true });
  await run(
    Deno.execPath(),
    ["install", "--entrypoint", "main.ts", "--os", platform.os, "--arch", platform.arch],
    dir,
  );
  await dropOtherLibc(dir, platform);
  // From now on node_modules is used as it is: nothing reinstalls what was dropped, and a read-only copy (the
  // container image) or an embedded one (a compiled binary) is never written to.
  await writeDenoJson("manual");
  log(`Installed node_modules for ${platform.os}-${platform.arch}`);
  if (options.launcher) {
    const launcher = path.join(dir, "bin", "ctvs");
    await fs.mkdir(path.dirname(launcher), { recursive: true });
    await fs.writeFile(launcher, launcherScript(dir), { mode: 0o755 });
    await fs.chmod(launcher, 0o755);
  }
  return { dir, files, packages, platform };
}

/**
 * The shell launcher of a staging at `dir`, with the flags every `deno run` of ctvs gets (`DENO_RUN_FLAGS`): `exec`
 * keeps ctvs the process a container runtime signals.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.match(launcherScript("/app"), /^exec deno run --allow-all .* --config \/app\/deno.json \/app\/main.ts "\$@"$/m);
 * ```
 */
export function launcherScript(dir: string): string {
  const quote = (s: string) => /^[\w./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
  const flags = ["--allow-all", "--cached-only", "--no-prompt", ...DENO_RUN_FLAGS];
  return `#!/bin/sh
# ctvs: Deno runs the sources staged in ${dir} (scripts/stage_runtime.ts), as a compiled binary would.
exec deno run ${flags.join(" ")} --config ${quote(path.join(dir, "deno.json"))} ${quote(path.join(dir, "main.ts"))} "$@"
`;
}

/**
 * Removes the musl builds Deno installs next to the glibc ones on Linux (it matches `os` and `cpu`, not `libc`):
 * every target here is glibc, and the musl DuckDB binding alone is 70 MB.
 */
async function dropOtherLibc(dir: string, platform: NpmPlatform): Promise<void> {
  if (platform.os !== "linux") return;
  const store = path.join(dir, "node_modules", ".deno");
  for (const entry of await fs.readdir(store).catch(() => [] as string[])) {
    if (/-musl@/.test(entry)) await fs.rm(path.join(store, entry), { recursive: true, force: true });
  }
}

/** Runs a command in `cwd`; rejects with its output when it fails. */
function run(command: string, args: string[], cwd: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd, maxBuffer: 256 << 20, env: { ...process.env, NO_COLOR: "1" } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${path.basename(command)} ${args.join(" ")} failed in ${cwd}:\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

const USAGE = `Usage: deno run -A scripts/stage_runtime.ts --out <dir> [--os linux|darwin|win32] [--arch x64|arm64]
                                                [--launcher]

Copies the sources main.ts needs, a deno.json and lock with only its npm packages, and installs node_modules for
the platform (default: this one). --launcher also writes <dir>/bin/ctvs, a shell script that runs them.`;

if (import.meta.main) {
  try {
    const { values } = parseArgs({
      args: Deno.args,
      options: {
        out: { type: "string" },
        os: { type: "string" },
        arch: { type: "string" },
        launcher: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
      strict: true,
    });
    if (values.help) {
      console.log(USAGE);
      process.exit(0);
    }
    if (!values.out) throw new Error("--out is required");
    const host = hostPlatform();
    const platform = { os: values.os ?? host.os, arch: values.arch ?? host.arch } as NpmPlatform;
    await stageRuntime({ out: values.out, platform, launcher: values.launcher, log: (line) => console.log(line) });
  } catch (error) {
    console.error(`error: cannot stage the runtime: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
