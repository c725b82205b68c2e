/**
 * `deno task compile` cannot run here (its runtime, denort, only comes from Deno's download host), so this checks
 * what it would do: every target is staged for real (its own npm packages, DuckDB's binding for its OS and CPU,
 * downloaded from the registry) and holds every file its binary would embed; the command line uses only what
 * `deno compile --help` documents, for targets Deno lists; the checksums file is what `sha256sum` computes.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import {
  compileArgs,
  duckdbBinding,
  main,
  missingInputs,
  npmPlatform,
  outputPath,
  stageTarget,
  TARGETS,
  writeChecksums,
} from "../../scripts/compile.ts";
import { DENO_V8_FLAGS } from "../../platform/v8_flags.ts";
import { VERSION } from "../../platform/version.ts";
import { tempDir } from "../helpers/child.ts";

for (const target of TARGETS) {
  test(`compile inputs for ${target}: sources, skills, npm packages and its own DuckDB binding`, async () => {
    const dir = await tempDir("ctvs-compile-");
    try {
      const staged = await stageTarget(target, { out: dir.dir });
      assert.deepEqual(await missingInputs(staged, target), []);
      assert.ok(staged.files.includes("main.ts"));
      assert.ok(staged.files.includes("platform/skills/bundled.ts"), "the bundled skills are embedded");
      for (const name of ["@duckdb/node-api", "hono", "@pydantic/genai-prices"]) {
        assert.ok(staged.packages.includes(name));
      }
      for (const name of ["openai", "@anthropic-ai/sdk", "typescript", "@opentelemetry/api"]) {
        assert.ok(!staged.packages.includes(name), `${name} is test-only and stays out`);
      }
      // The binding is the target's own build: check the machine type of duckdb.node.
      const { os, arch } = npmPlatform(target);
      const store = await fs.readdir(path.join(dir.dir, "node_modules", ".deno"));
      const entry = store.find((e) => e.startsWith(`${duckdbBinding(target).name.replace("/", "+")}@`))!;
      const node = path.join(dir.dir, "node_modules", ".deno", entry, "node_modules", duckdbBinding(target).name);
      const kind = execFileSync("file", ["-b", path.join(node, "duckdb.node")], { encoding: "utf8" });
      const expected = {
        linux: arch === "x64" ? /ELF 64-bit.*x86-64/ : /ELF 64-bit.*aarch64/,
        darwin: arch === "x64" ? /Mach-O 64-bit.*x86_64/ : /Mach-O 64-bit.*arm64/,
        win32: /PE32\+ executable.*x86-64/,
      }[os];
      assert.match(kind, expected);
      assert.ok(!store.some((e) => e.includes("-musl@")), "glibc targets embed no musl build");
    } finally {
      await dir.remove();
    }
  });
}

test("the compile command line uses only flags deno compile documents, for targets it lists", () => {
  const help = spawnSync(process.execPath, ["compile", "--help"], { encoding: "utf8", env: { NO_COLOR: "1" } }).stdout;
  const listed = spawnSync(process.execPath, ["compile", "--target", "none", "main.ts"], {
    encoding: "utf8",
    env: { NO_COLOR: "1" },
  }).stderr;
  const possible = /possible values: ([^\n]+)/.exec(listed)![1].split(", ").map((s) => s.trim());
  for (const target of TARGETS) {
    assert.ok(possible.includes(target), `${target} in ${possible.join(", ")}`);
    const args = compileArgs(target, "/repo");
    assert.equal(args[0], "compile");
    assert.equal(args.at(-1), "main.ts");
    for (const flag of args.filter((a) => a.startsWith("--"))) {
      const name = flag.split("=")[0];
      assert.match(help, new RegExp(`^\\s+(-\\w, )?${name}[\\s\\[=]`, "m"), `${name} is documented`);
    }
    assert.equal(args[args.indexOf("--target") + 1], target);
    assert.ok(args.includes(DENO_V8_FLAGS));
    assert.equal(args[args.indexOf("--output") + 1], path.join("/repo", outputPath(target)));
    assert.match(
      outputPath(target),
      new RegExp(`^dist/bin/ctvs-${VERSION.replaceAll(".", "\\.")}-${target}(\\.exe)?$`),
    );
  }
  assert.ok(outputPath("x86_64-pc-windows-msvc").endsWith(".exe"));
});

test("deno task compile --dry-run prints the staging and compile commands of each target", async () => {
  const lines: string[] = [];
  const log = console.log;
  console.log = (line: string) => lines.push(line);
  try {
    assert.equal(await main(["--dry-run", "--target", "aarch64-apple-darwin"]), 0);
  } finally {
    console.log = log;
  }
  assert.deepEqual(lines, [
    "deno run -A scripts/stage_runtime.ts --out .tmp/compile/aarch64-apple-darwin --os darwin --arch arm64",
    `(cd .tmp/compile/aarch64-apple-darwin && deno ${compileArgs("aarch64-apple-darwin", ".").join(" ")})`,
  ]);
  assert.equal(await main(["--target", "riscv64"]), 2);
});

test("SHA256SUMS is what sha256sum computes, and sha256sum --check accepts it", async () => {
  const dir = await tempDir();
  try {
    await fs.writeFile(path.join(dir.dir, `ctvs-${VERSION}-x86_64-unknown-linux-gnu`), "linux binary");
    await fs.writeFile(path.join(dir.dir, `ctvs-${VERSION}-x86_64-pc-windows-msvc.exe`), "windows binary");
    const file = await writeChecksums(dir.dir);
    const ours = await fs.readFile(file, "utf8");
    const files = (await fs.readdir(dir.dir)).filter((f) => f.startsWith("ctvs-")).sort();
    // GNU coreutils' sha256sum, or macOS's shasum, which writes and checks the same format.
    const gnu = spawnSync("sha256sum", ["--version"]).status === 0;
    const [tool, ...toolArgs] = gnu ? ["sha256sum"] : ["shasum", "-a", "256"];
    const theirs = execFileSync(tool, [...toolArgs, ...files], { cwd: dir.dir, encoding: "utf8" });
    assert.equal(ours, theirs);
    const checked = execFileSync(tool, [...toolArgs, "--check", "SHA256SUMS"], { cwd: dir.dir, encoding: "utf8" });
    assert.match(checked, /: OK\n.*: OK\n$/);
  } finally {
    await dir.remove();
  }
});
