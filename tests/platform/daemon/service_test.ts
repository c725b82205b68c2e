/**
 * The exact service-manager calls for install, reinstall and uninstall, through a recording runner.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import { test } from "node:test";
import { serviceBackend } from "../../../platform/daemon/service.ts";
import { plistPath, unitPath } from "../../../platform/daemon/service_spec.ts";
import { fakeHost } from "./_fake_host.ts";

const UNIT = "com.hyparam.collectivus.service";

test("systemd: install, reinstall and uninstall make exactly these calls", async () => {
  const host = await fakeHost({
    answer: (c) => c.includes(" show ") ? { stdout: "LoadState=loaded\nActiveState=active\nMainPID=42\n" } : {},
  });
  try {
    const backend = serviceBackend("linux")!;
    const spec = { program: ["/usr/bin/ctvs"], configPath: "/c.json", logDir: `${host.home}/logs` };
    const install = [
      "systemctl --user daemon-reload",
      `systemctl --user enable ${UNIT}`,
      `systemctl --user restart ${UNIT}`,
    ];
    await backend.install(host.home, spec, host.runner);
    assert.deepEqual(host.calls.splice(0), install);
    assert.equal((await fs.stat(unitPath(host.home))).mode & 0o777, 0o644);
    await backend.install(host.home, { ...spec, configPath: "/d.json" }, host.runner);
    assert.deepEqual(host.calls.splice(0), install);
    assert.match(await fs.readFile(unitPath(host.home), "utf8"), /--config \/d\.json/);
    assert.deepEqual(await backend.state(host.home, host.runner), {
      file: unitPath(host.home),
      installed: true,
      loaded: true,
      active: "active",
      pid: 42,
    });
    host.calls.splice(0);
    assert.equal(await backend.uninstall(host.home, host.runner), true);
    assert.deepEqual(host.calls.splice(0), [
      `systemctl --user stop ${UNIT}`,
      `systemctl --user disable ${UNIT}`,
      "systemctl --user daemon-reload",
    ]);
    await assert.rejects(fs.stat(unitPath(host.home)));
    assert.equal(await backend.uninstall(host.home, host.runner), false);
    assert.deepEqual(host.calls, []);
  } finally {
    await host.remove();
  }
});

test("systemd: a failing step stops the install with its stderr", async () => {
  const host = await fakeHost({
    answer: (c) => c.includes("enable") ? { code: 1, stderr: "Failed to connect to bus\n" } : {},
  });
  try {
    const spec = { program: ["/usr/bin/ctvs"], configPath: "/c.json", logDir: `${host.home}/logs` };
    await assert.rejects(serviceBackend("linux")!.install(host.home, spec, host.runner), {
      message: `failed to enable systemd user unit ${UNIT}: Failed to connect to bus`,
    });
    assert.deepEqual(host.calls, ["systemctl --user daemon-reload", `systemctl --user enable ${UNIT}`]);
  } finally {
    await host.remove();
  }
});

test("launchd: install, reinstall and uninstall make exactly these calls", async () => {
  let loaded = false;
  const host = await fakeHost({
    answer: (c) => {
      if (c.startsWith("launchctl load")) loaded = true;
      if (c.startsWith("launchctl unload")) loaded = false;
      if (c.startsWith("launchctl list")) return loaded ? { stdout: '{\n\t"PID" = 77;\n};' } : { code: 113 };
      return {};
    },
  });
  try {
    const backend = serviceBackend("darwin")!;
    const plist = plistPath(host.home);
    const spec = { program: ["/usr/bin/ctvs"], configPath: "/c.json", logDir: `${host.home}/logs` };
    await backend.install(host.home, spec, host.runner);
    assert.deepEqual(host.calls.splice(0), ["launchctl list com.hyparam.collectivus", `launchctl load ${plist}`]);
    await backend.install(host.home, spec, host.runner);
    assert.deepEqual(host.calls.splice(0), [
      "launchctl list com.hyparam.collectivus",
      `launchctl unload ${plist}`,
      `launchctl load ${plist}`,
    ]);
    assert.deepEqual(await backend.state(host.home, host.runner), {
      file: plist,
      installed: true,
      loaded: true,
      pid: 77,
    });
    host.calls.splice(0);
    assert.equal(await backend.uninstall(host.home, host.runner), true);
    assert.deepEqual(host.calls.splice(0), [`launchctl unload ${plist}`]);
    await assert.rejects(fs.stat(plist));
  } finally {
    await host.remove();
  }
});
