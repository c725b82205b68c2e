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
import { daemonArgv, UNIT } from "../../../platform/daemon/service_spec.ts";
import { quoteExecArg, renderUnit } from "../../../platform/daemon/systemd_unit.ts";
import { ROOT, tempDir } from "../../helpers/child.ts";

/** Runs systemd-analyze verify on `unit` and returns everything it printed. */
async function verify(unit: string): Promise<string> {
  const dir = await tempDir();
  try {
    const file = path.join(dir.dir, UNIT);
    await fs.writeFile(file, unit);
    const result = spawnSync("systemd-analyze", ["verify", file], { encoding: "utf8" });
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
