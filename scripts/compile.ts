/**
 * Builds the standalone `ctvs` binaries with `deno compile` (`deno task compile`), one per release target, into
 * `dist/bin/ctvs-<target>[.exe]`.
 *
 * `deno compile` downloads the runtime it embeds (`denort`) from the Deno release host, so this runs in the release
 * workflow, not on machines that cannot reach that host. `--dry-run` prints the exact commands instead.
 *
 * Usage: `deno task compile [--target <target>]... [--dry-run]`
 *
 * Permissions: the binary gets `--allow-all`. The program binds sockets, reads and writes under the home folder,
 * spawns `systemctl`/`launchctl`, reads the environment, and (with DuckDB) loads a native addon through FFI from
 * `node_modules`; deno compile embeds the local `node_modules` (nodeModulesDir "auto"). A native addon there is
 * the build machine's build: each target has to be compiled on (or with the node_modules of) its own platform.
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { DENO_V8_FLAGS } from "../platform/v8_flags.ts";

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

/**
 * The `deno` arguments that compile `main.ts` for `target`, paths relative to the repository root.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.deepEqual(compileArgs("x86_64-pc-windows-msvc").slice(-3), ["--output", "dist/bin/ctvs-x86_64-pc-windows-msvc.exe", "main.ts"]);
 * ```
 */
export function compileArgs(target: Target): string[] {
  return [
    "compile",
    "--allow-all",
    DENO_V8_FLAGS,
    "--target",
    target,
    "--output",
    outputPath(target),
    "main.ts",
  ];
}

/** `dist/bin/ctvs-<target>`, with `.exe` for Windows. */
export function outputPath(target: Target): string {
  return `${OUT_DIR}/ctvs-${target}${target.includes("windows") ? ".exe" : ""}`;
}

const USAGE = `Usage: deno task compile [--target <target>]... [--dry-run]

Compiles main.ts into dist/bin/ctvs-<target>[.exe] with deno compile.

Options:
  --target <target>  build only this target (repeatable); one of:
                     ${TARGETS.join("\n                     ")}
  --dry-run          print the commands, build nothing
  -h, --help         show this help`;

/** A failed `deno compile` whose cause is the unreachable runtime download. */
function isDownloadFailure(output: string): boolean {
  return /dl\.deno\.land|denort|Setting up base binary|error sending request/i.test(output);
}

/** Parses `argv`, then compiles (or prints) each target; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        "target": { type: "string", multiple: true },
        "dry-run": { type: "boolean" },
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
  const deno = Deno.execPath();

  if (values["dry-run"]) {
    console.log(`# cd ${ROOT}`);
    console.log(`mkdir -p ${OUT_DIR}`);
    for (const target of targets) console.log(["deno", ...compileArgs(target)].join(" "));
    return 0;
  }

  await fs.mkdir(path.join(ROOT, OUT_DIR), { recursive: true });
  for (const target of targets) {
    console.log(`Compiling ${outputPath(target)} ...`);
    const result = await new Deno.Command(deno, {
      args: compileArgs(target),
      cwd: ROOT,
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
            `Use --dry-run to see the commands.`,
        );
      } else {
        console.error(`error: cannot compile ${target}: deno compile exited with ${result.code}`);
      }
      return 1;
    }
    const { size } = await fs.stat(path.join(ROOT, outputPath(target)));
    console.log(`Built ${outputPath(target)} (${(size / 1024 / 1024).toFixed(1)} MiB)`);
  }
  return 0;
}

if (import.meta.main) process.exit(await main(Deno.args));
