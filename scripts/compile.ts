/**
 * Builds the standalone `ctvs` binaries with `deno compile` (`deno task compile`), one per release target, into
 * `dist/bin/ctvs-<version>-<target>[.exe]`, and writes `dist/bin/SHA256SUMS` (the `sha256sum` format).
 *
 * Each target is compiled from a staging of its own (`scripts/stage_runtime.ts`, in `.tmp/compile/<target>/`): the
 * sources `main.ts` reaches, the bundled skills and data among them, and a `node_modules/` installed for the target's
 * OS and CPU, so the binary embeds that platform's DuckDB binding (`duckdb.node` and the `libduckdb` beside it) and
 * no test-only package. `--self-extracting` makes the binary unpack its files on first run: DuckDB's binding loads
 * the library next to it from disk, which an addon read from inside the executable cannot do.
 *
 * `deno compile` downloads the runtime it embeds (`denort`) from the Deno release host, so this runs in the release
 * workflow, not on machines that cannot reach that host. `--dry-run` prints the commands; `--check` stages every
 * target and checks the files each binary would embed, without compiling.
 *
 * Usage: `deno task compile [--target <target>]... [--dry-run | --check]`
 *
 * Permissions: the binary gets `--allow-all`. The program binds sockets, reads and writes under the home folder,
 * spawns `systemctl`/`launchctl`, reads the environment, and loads DuckDB's native addon.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DENO_V8_FLAGS } from "../platform/v8_flags.ts";
import { VERSION } from "../platform/version.ts";
import { type NpmPlatform, type StagedRuntime, stageRuntime } from "./stage_runtime.ts";

/** The release targets, in build order. */
export const TARGETS = [
  "x86_64-unknown-linux-gnu",
  "aarch64-unknown-linux-gnu",
  "x86_64-apple-darwin",
  "aarch64-apple-darwin",
  "x86_64-pc-windows-msvc",
] as const;

/** One of {@link TARGETS}. */
export type Target = typeof TARGETS[number];

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** Where the binaries go, relative to the repository root. */
export const OUT_DIR = "dist/bin";
/** Where each target is staged, relative to the repository root. */
export const STAGE_DIR = ".tmp/compile";

/**
 * The npm platform of a target: what its `node_modules/` is installed for.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(npmPlatform("aarch64-apple-darwin"), { os: "darwin", arch: "arm64" });
 * assert.deepEqual(npmPlatform("x86_64-pc-windows-msvc"), { os: "win32", arch: "x64" });
 * ```
 */
export function npmPlatform(target: Target): NpmPlatform {
  const arch = target.startsWith("aarch64-") ? "arm64" : "x64";
  const os = target.includes("-linux-") ? "linux" : target.includes("-apple-") ? "darwin" : "win32";
  return { os, arch };
}

/** `dist/bin/ctvs-<version>-<target>`, with `.exe` for Windows. */
export function outputPath(target: Target): string {
  return `${OUT_DIR}/ctvs-${VERSION}-${target}${target.includes("windows") ? ".exe" : ""}`;
}

/**
 * The `deno` arguments that compile a target's staging (run from that folder): the entry point is the staged
 * `main.ts`, the output an absolute path under `dist/bin/`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const args = compileArgs("x86_64-pc-windows-msvc", "/repo");
 * assert.deepEqual(args.slice(-3), ["--output", "/repo/dist/bin/ctvs-0.1.0-x86_64-pc-windows-msvc.exe", "main.ts"]);
 * ```
 */
export function compileArgs(target: Target, root: string = ROOT): string[] {
  return [
    "compile",
    "--allow-all",
    DENO_V8_FLAGS,
    "--self-extracting",
    "--no-check",
    "--target",
    target,
    "--output",
    path.join(root, outputPath(target)),
    "main.ts",
  ];
}

/** The DuckDB binding package of a target, and the files it must hold. */
export function duckdbBinding(target: Target): { name: string; files: string[] } {
  const { os, arch } = npmPlatform(target);
  const library = os === "linux" ? "libduckdb.so" : os === "darwin" ? "libduckdb.dylib" : "duckdb.dll";
  return { name: `@duckdb/node-bindings-${os}-${arch}`, files: ["duckdb.node", library] };
}

/** Where a package sits in a staging's `node_modules/` (Deno's layout: `.deno/<name>@<version>/node_modules/<name>`). */
async function packageDir(staging: string, name: string): Promise<string | undefined> {
  const store = path.join(staging, "node_modules", ".deno");
  const prefix = `${name.replace("/", "+")}@`;
  const entry = (await fs.readdir(store).catch(() => [] as string[])).find((e) => e.startsWith(prefix));
  return entry ? path.join(store, entry, "node_modules", name) : undefined;
}

/**
 * What is missing from a target's staging for its binary: every staged source file, the config and lock, each npm
 * package the program imports, the target's DuckDB binding with its library, and the bundled skills. A binding of
 * another platform is reported too (it would be embedded for nothing). Empty when the staging is complete.
 */
export async function missingInputs(staged: StagedRuntime, target: Target): Promise<string[]> {
  const problems: string[] = [];
  const exists = (file: string) => fs.stat(file).then((s) => s.size > 0, () => false);
  for (const file of [...staged.files, "deno.json", "deno.lock"]) {
    if (!(await exists(path.join(staged.dir, file)))) problems.push(`${file} (source)`);
  }
  for (const name of staged.packages) {
    const dir = await packageDir(staged.dir, name);
    if (!dir || !(await exists(path.join(dir, "package.json")))) problems.push(`${name} (npm package)`);
  }
  const binding = duckdbBinding(target);
  const bindingDir = await packageDir(staged.dir, binding.name);
  for (const file of binding.files) {
    if (!bindingDir || !(await exists(path.join(bindingDir, file)))) problems.push(`${binding.name}/${file}`);
  }
  const store = await fs.readdir(path.join(staged.dir, "node_modules", ".deno")).catch(() => [] as string[]);
  const ownBinding = binding.name.replace("/", "+");
  for (const entry of store.filter((e) => e.startsWith("@duckdb+node-bindings-") && !e.startsWith(`${ownBinding}@`))) {
    problems.push(`${entry} (another platform's binding)`);
  }
  if (!staged.files.includes("platform/skills/bundled.ts")) problems.push("platform/skills/bundled.ts (skills)");
  return problems;
}

/** Stages `target` into `out` (default `.tmp/compile/<target>/`). */
export function stageTarget(
  target: Target,
  options: { out?: string; log?: (line: string) => void } = {},
): Promise<StagedRuntime> {
  const out = options.out ?? path.join(ROOT, STAGE_DIR, target);
  return stageRuntime({ out, platform: npmPlatform(target), log: options.log });
}

/** The SHA-256 of a file, in hex. */
async function sha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk);
  return hash.digest("hex");
}

/** Writes `dist/bin/SHA256SUMS` for the binaries there: `<hex>  <file>` lines, sorted by file. */
export async function writeChecksums(dir: string = path.join(ROOT, OUT_DIR)): Promise<string> {
  const files = (await fs.readdir(dir)).filter((f) => f.startsWith("ctvs-")).sort();
  const lines = [];
  for (const file of files) lines.push(`${await sha256(path.join(dir, file))}  ${file}`);
  const out = path.join(dir, "SHA256SUMS");
  await fs.writeFile(out, lines.join("\n") + (lines.length > 0 ? "\n" : ""));
  return out;
}

const USAGE = `Usage: deno task compile [--target <target>]... [--dry-run | --check]

Compiles main.ts into dist/bin/ctvs-${VERSION}-<target>[.exe], each from a staging with its own platform's npm
packages (.tmp/compile/<target>), and writes dist/bin/SHA256SUMS.

Options:
  --target <target>  build only this target (repeatable); one of:
                     ${TARGETS.join("\n                     ")}
  --dry-run          print the commands, build nothing
  --check            stage each target and check what its binary would embed, compile nothing
  -h, --help         show this help`;

/** A failed `deno compile` whose cause is the unreachable runtime download. */
function isDownloadFailure(output: string): boolean {
  return /dl\.deno\.land|denort|Setting up base binary|error sending request/i.test(output);
}

/** Parses `argv`, then stages and compiles (or prints, or checks) each target; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "target": { type: "string", multiple: true },
        "dry-run": { type: "boolean" },
        "check": { type: "boolean" },
        "help": { type: "boolean", short: "h" },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const unknown = (values.target ?? []).filter((t) => !(TARGETS as readonly string[]).includes(t));
  if (unknown.length > 0) {
    console.error(`error: unknown target ${unknown.join(", ")}; use one of: ${TARGETS.join(", ")}`);
    return 2;
  }
  const targets = values.target && values.target.length > 0 ? values.target as Target[] : [...TARGETS];

  if (values["dry-run"]) {
    for (const target of targets) {
      const { os, arch } = npmPlatform(target);
      console.log(`deno run -A scripts/stage_runtime.ts --out ${STAGE_DIR}/${target} --os ${os} --arch ${arch}`);
      console.log(`(cd ${STAGE_DIR}/${target} && deno ${compileArgs(target, ".").join(" ")})`);
    }
    return 0;
  }

  await fs.mkdir(path.join(ROOT, OUT_DIR), { recursive: true });
  for (const target of targets) {
    const staged = await stageTarget(target, { log: (line) => console.log(line) });
    const missing = await missingInputs(staged, target);
    if (missing.length > 0) {
      console.error(`error: cannot compile ${target}: its staging lacks or has extra: ${missing.join(", ")}`);
      return 1;
    }
    if (values.check) {
      console.log(
        `ok ${target}: ${staged.files.length} sources, ${staged.packages.length} npm packages, its DuckDB binding`,
      );
      continue;
    }
    console.log(`Compiling ${outputPath(target)} ...`);
    const result = await new Deno.Command(Deno.execPath(), {
      args: compileArgs(target),
      cwd: staged.dir,
      stdout: "inherit",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(result.stderr);
    if (!result.success) {
      process.stderr.write(stderr);
      if (isDownloadFailure(stderr)) {
        console.error(
          `error: cannot compile ${target}: deno compile could not download its runtime (denort) from the Deno ` +
            `release host (dl.deno.land). Run this where that host is reachable: the release workflow. ` +
            `Use --dry-run to see the commands, --check to check the inputs.`,
        );
      } else {
        console.error(`error: cannot compile ${target}: deno compile exited with ${result.code}`);
      }
      return 1;
    }
    const { size } = await fs.stat(path.join(ROOT, outputPath(target)));
    console.log(`Built ${outputPath(target)} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
  }
  if (!values.check) console.log(`Wrote ${path.relative(ROOT, await writeChecksums())}`);
  return 0;
}

if (import.meta.main) process.exit(await main(Deno.args));
