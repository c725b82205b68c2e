/**
 * The dispatcher and the runner's argument handling, in process: exit codes and the exact messages.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Io } from "../../cli/io.ts";
import { main, report } from "../../cli/main.ts";
import { VERSION } from "../../platform/version.ts";
import { tempDir } from "../helpers/child.ts";

function captureIo(): Io & { stdout: string[]; stderr: string[] } {
  const stdout: string[] = [];
  const stderr: string[] = [];
  return { stdout, stderr, out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false, color: false };
}

/** Runs main in process. Nothing here depends on HOME or the environment (test files share a process). */
async function run(argv: string[]) {
  const io = captureIo();
  const code = await main(argv, io);
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

test("ctvs --help and -h print the usage and exit 0", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await run([flag]);
    assert.equal(code, 0);
    assert.match(stdout, /^Usage: ctvs \[options\]/);
    assert.match(stdout, /--config <path\|url>/);
    assert.match(stdout, /SIGHUP re-reads a config file/);
    assert.equal(stderr, "");
  }
});

test("ctvs --version, -V and -v print the version", async () => {
  for (const flag of ["--version", "-V", "-v"]) {
    const { code, stdout } = await run([flag]);
    assert.equal(code, 0);
    assert.equal(stdout, VERSION);
  }
});

test("usage errors print error, a blank line and the usage, and exit 2", async () => {
  const cases: [string[], string][] = [
    [["--bogus"], "unknown argument: --bogus"],
    [["stray"], "unknown argument: stray"],
    [["--config"], "--config requires a path or URL"],
    [["--config", "--strict"], "--config requires a path or URL"],
    [["--config="], "--config requires a path or URL"],
    [["--config", "a.json", "--config-endpoint", "http://x"], "--config and --config-endpoint are mutually exclusive"],
    [["--config", "a.json", "--config-env", "X"], "--config and --config-env are mutually exclusive"],
    [
      ["--config-env", "X", "--config-endpoint", "http://x"],
      "--config-env cannot be combined with --config or --config-endpoint",
    ],
    [["--config-env"], "--config-env requires an environment variable name"],
    [["--config-env", "1BAD"], "--config-env must be an environment variable name"],
    [["--config-env", "A-B"], "--config-env must be an environment variable name"],
    [["--config-endpoint"], "--config-endpoint requires a URL"],
    [["--config-endpoint", "ftp://central/setup"], "--config-endpoint requires an http(s) URL"],
    [["--default-config", "--config", "a.json"], "--default-config cannot be combined with another config source"],
    [["--strict=yes"], "--strict does not take a value"],
  ];
  for (const [argv, message] of cases) {
    const { code, stdout, stderr } = await run(argv);
    assert.equal(code, 2, `exit code of ${argv.join(" ")}`);
    assert.equal(stderr.split("\n\n")[0], `error: ${message}`, `message of ${argv.join(" ")}`);
    assert.match(stderr, /\n\nUsage: ctvs \[options\]/);
    assert.equal(stdout, "");
  }
});

test("--config=value and --config value mean the same", async () => {
  const home = await tempDir();
  try {
    const file = path.join(home.dir, "c.json");
    await fs.writeFile(file, '{"version": 1}');
    const a = await run(["--config", file, "--print-config"]);
    const b = await run([`--config=${file}`, "--print-config"]);
    assert.equal(a.code, 0);
    assert.equal(a.stdout, '{\n  "version": 1\n}');
    assert.deepEqual(b, a);
  } finally {
    await home.remove();
  }
});

test("a config that does not load prints config error and exits 1", async () => {
  const { code, stderr } = await run(["--config", "/nonexistent/collectivus.json"]);
  assert.equal(code, 1);
  assert.equal(stderr, "config error: config file not found: /nonexistent/collectivus.json");
});

test("--print-config prints the config as written, without defaults, and warns about unknown keys", async () => {
  const home = await tempDir();
  try {
    const file = path.join(home.dir, "c.jsonc");
    await fs.writeFile(file, '// mine\n{"version": 1, "sink": {"type": "file", "dir": "/d"}, "extra": 1,}\n');
    const { code, stdout, stderr } = await run(["--config", file, "--print-config"]);
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { version: 1, sink: { type: "file", dir: "/d" }, extra: 1 });
    assert.match(stderr, /^warning: unknown config key "extra" ignored/);
    const strict = await run(["--config", file, "--print-config", "--strict"]);
    assert.equal(strict.code, 1);
    assert.equal(strict.stderr, 'config error: /extra: unknown key "extra"');
  } finally {
    await home.remove();
  }
});

test("anything uncaught becomes fatal: <msg> and exit 1", () => {
  const io = captureIo();
  assert.equal(report(new Error("disk on fire"), io), 1);
  assert.deepEqual(io.stderr, ["fatal: disk on fire"]);
});
