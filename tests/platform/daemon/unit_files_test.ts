/**
 * The generated systemd unit passes the real `systemd-analyze verify` with no output, and the generated plist
 * parses with python3's plistlib and carries the keys launchd needs.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { renderPlist } from "../../../platform/daemon/launchd_plist.ts";
import { runInstall } from "../../../cli/install.ts";
import { daemonArgv, UNIT, unitPath } from "../../../platform/daemon/service_spec.ts";
import { quoteExecArg, renderUnit } from "../../../platform/daemon/systemd_unit.ts";
import { ROOT, tempDir } from "../../helpers/child.ts";
import { captureIo, fakeHost } from "./_fake_host.ts";

/** Runs systemd-analyze verify on `unit` and returns everything it printed. */
async function verify(unit: string): Promise<string> {
  const dir = await tempDir();
  try {
    const file = path.join(dir.dir, UNIT);
    await fs.writeFile(file, unit);
    const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
    if (result.error) {
      throw new Error(
        `systemd-analyze could not run (${result.error.message}): the unit tests need Debian's systemd package ` +
          "(apt-get install systemd; .ci/run installs it)",
      );
    }
    return `${result.stdout}${result.stderr}`.trim() + (result.status === 0 ? "" : ` (exit ${result.status})`);
  } finally {
    await dir.remove();
  }
}

const SPEC = {
  program: [process.execPath, "run", "--allow-all", path.join(ROOT, "main.ts")],
  configPath: '/home/a b/.hyp/collectivus "x" 100%.json',
  logDir: "/home/a/.hyp/collectivus",
};

test("renderUnit() is exactly the reference unit", () => {
  assert.equal(
    renderUnit({ program: ["/usr/bin/ctvs"], configPath: "/h/c.json", logDir: "/h/logs", env: { A: "b c" } }),
    `[Unit]
Description=Collectivus daemon (com.hyparam.collectivus)

[Service]
Type=simple
ExecStart=/usr/bin/ctvs --config /h/c.json
Restart=always
RestartSec=5
StandardOutput=append:/h/logs/collectivus.log
StandardError=append:/h/logs/collectivus.err.log
Environment="A=b c"

[Install]
WantedBy=default.target
`,
  );
});

test("quoteExecArg() quotes spaces and quotes, and doubles % and $", () => {
  assert.equal(quoteExecArg("/a/b"), "/a/b");
  assert.equal(quoteExecArg('a "b" \\c'), '"a \\"b\\" \\\\c"');
  assert.equal(quoteExecArg("100%"), "100%%");
  assert.equal(quoteExecArg("$HOME x"), '"$$HOME x"');
});

test("the generated unit passes systemd-analyze verify with no output", async () => {
  assert.equal(await verify(renderUnit(SPEC)), "");
});

test("systemd-analyze verify does complain about a broken unit (the check can fail)", async () => {
  const output = await verify(renderUnit({ ...SPEC, program: ["/nonexistent/ctvs"] }));
  assert.match(output, /nonexistent/);
  assert.notEqual(await verify(renderUnit(SPEC).replace("Type=simple", "Type=simpl")), "");
});

test("the generated plist parses with plistlib and has the launchd keys", () => {
  const plist = renderPlist({ ...SPEC, configPath: "/h/<a&b>.json", env: { K: "v" } });
  const json = execFileSync("python3", [
    "-c",
    "import plistlib,sys,json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))",
  ], { input: plist, encoding: "utf8" });
  assert.deepEqual(JSON.parse(json), {
    Label: "com.hyparam.collectivus",
    ProgramArguments: daemonArgv({ ...SPEC, configPath: "/h/<a&b>.json" }),
    RunAtLoad: true,
    KeepAlive: true,
    StandardOutPath: "/home/a/.hyp/collectivus/collectivus.log",
    StandardErrorPath: "/home/a/.hyp/collectivus/collectivus.err.log",
    EnvironmentVariables: { K: "v" },
  });
});

test("ctvs install with an environment file writes a unit that systemd-analyze verify accepts with no output", async () => {
  const host = await fakeHost();
  try {
    // An executable that exists (verify checks ExecStart's), standing for an installed ctvs binary.
    host.program = ["/usr/bin/true"];
    const config = path.join(host.home, ".hyp", "collectivus.json");
    await fs.mkdir(path.dirname(config), { recursive: true });
    await fs.writeFile(
      config,
      JSON.stringify({ version: 1, sink: { type: "file", dir: "/tmp/rec" }, upload: { bucket: "b", region: "r" } }),
    );
    // A path with a space and a %, which systemd would take for a specifier unless doubled.
    const envFile = path.join(host.home, "daemon secrets", "100%.env");
    await fs.mkdir(path.dirname(envFile));
    await fs.writeFile(envFile, "AWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY=secret\n", { mode: 0o600 });
    const io = captureIo();
    assert.equal(await runInstall(["--no", "--env-file", envFile], io, host), 0, io.stderr.join("\n"));
    const unit = await fs.readFile(unitPath(host.home), "utf8");
    assert.match(unit, /^EnvironmentFile=.*\/daemon secrets\/100%%\.env$/m);
    assert.equal(await verify(unit), "");
  } finally {
    await host.remove();
  }
});

test("the plist of an install with an environment file passes it to ctvs, after the config", () => {
  const plist = renderPlist({ ...SPEC, envFile: "/h/.hyp/collectivus.env" });
  const json = execFileSync("python3", [
    "-c",
    "import plistlib,sys,json; print(json.dumps(plistlib.loads(sys.stdin.buffer.read())))",
  ], { input: plist, encoding: "utf8" });
  assert.deepEqual(JSON.parse(json).ProgramArguments, [
    ...daemonArgv(SPEC),
    "--env-file",
    "/h/.hyp/collectivus.env",
  ]);
});
