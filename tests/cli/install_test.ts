/**
 * `ctvs install`, `uninstall` and `status` in process against a temporary home and a recording service runner.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runInstall } from "../../cli/install.ts";
import { report } from "../../cli/main.ts";
import { runStatus } from "../../cli/status.ts";
import { runUninstall } from "../../cli/uninstall.ts";
import { captureIo, type FakeHost, fakeHost } from "../platform/daemon/_fake_host.ts";

type Run = typeof runInstall;

async function run(fn: Run, argv: string[], host: FakeHost, isTTY = false) {
  const io = captureIo(isTTY);
  let code: number;
  try {
    code = await fn(argv, io, host);
  } catch (error) {
    code = report(error, io);
  }
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

async function writeConfig(home: string, withProxy = true): Promise<string> {
  const file = path.join(home, ".hyp", "collectivus.json");
  await fs.mkdir(path.dirname(file), { recursive: true });
  const proxy = {
    listen: "127.0.0.1:8787",
    upstreams: [{ name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } }],
  };
  await fs.writeFile(
    file,
    JSON.stringify({ version: 1, sink: { type: "file", dir: "/tmp/rec" }, ...(withProxy ? { proxy } : {}) }),
  );
  return file;
}

const UNIT = "com.hyparam.collectivus.service";

test("ctvs install --yes installs the unit, attaches Claude Code and prints the reference lines", async () => {
  const host = await fakeHost();
  try {
    const config = await writeConfig(host.home);
    const { code, stdout, stderr } = await run(runInstall, ["--yes"], host);
    const settings = path.join(host.home, ".claude", "settings.json");
    assert.deepEqual({ code, stderr }, { code: 0, stderr: "" });
    assert.equal(
      stdout,
      [
        `✓ Daemon installed (systemd unit: ${UNIT})`,
        "  (run `loginctl enable-linger` to keep it running after you log out)",
        `✓ Claude Code attached (${settings})`,
        "  ANTHROPIC_BASE_URL = http://127.0.0.1:8787",
        `Logs: ${host.home}/.hyp/collectivus/collectivus.log`,
      ].join("\n"),
    );
    assert.deepEqual(host.calls, [
      "systemctl --user daemon-reload",
      `systemctl --user enable ${UNIT}`,
      `systemctl --user restart ${UNIT}`,
    ]);
    const unit = await fs.readFile(path.join(host.home, ".config/systemd/user", UNIT), "utf8");
    assert.match(unit, new RegExp(`^ExecStart=/opt/ctvs/bin/ctvs --config ${config}$`, "m"));
  } finally {
    await host.remove();
  }
});

test("ctvs install where the service manager does not answer: the error, where to look, and nothing attached", async () => {
  const noBus = { code: 1, stderr: "Failed to connect to bus: No medium found\n" };
  const host = await fakeHost({ answer: () => noBus });
  try {
    const config = await writeConfig(host.home);
    assert.deepEqual(await run(runInstall, ["--yes"], host), {
      code: 1,
      stdout: "",
      stderr: [
        `error: the daemon was not installed: failed to reload systemd user units for ${UNIT}: ` +
        "Failed to connect to bus: No medium found",
        "hint: `systemctl --user status` must work here; a container, WSL without systemd, or an SSH login without " +
        "`loginctl enable-linger` has no systemd user session. Without the daemon, run the collector in a terminal: " +
        `ctvs --config ${config}; \`ctvs attach\` points Claude Code at it`,
      ].join("\n"),
    });
    assert.deepEqual(host.calls, ["systemctl --user daemon-reload"]);
    await fs.access(path.join(host.home, ".claude", "settings.json")).then(
      () => assert.fail("Claude Code was attached to a collector that is not running"),
      () => {},
    );
  } finally {
    await host.remove();
  }
  const mac = await fakeHost({
    platform: "darwin",
    answer: () => ({ code: 5, stderr: "Load failed: 5: Input/output error" }),
  });
  try {
    await writeConfig(mac.home);
    const { code, stderr } = await run(runInstall, ["--no"], mac);
    assert.equal(code, 1);
    assert.match(
      stderr,
      /^error: the daemon was not installed: .*Load failed: 5: Input\/output error\nhint: `launchctl` must reach/,
    );
  } finally {
    await mac.remove();
  }
});

test("ctvs install asks on a TTY, warns and skips on a non-TTY, skips without a proxy", async () => {
  const host = await fakeHost({ replies: ["n"] });
  try {
    await writeConfig(host.home);
    const tty = await run(runInstall, [], host, true);
    assert.equal(tty.code, 0);
    assert.ok(host.calls.includes("ask Configure Claude Code to use this proxy? [Y/n] "));
    assert.doesNotMatch(tty.stdout, /Claude Code attached/);
    const piped = await run(runInstall, [], host);
    assert.equal(
      piped.stderr,
      "warning: not a TTY and neither --yes nor --no provided; skipping Claude Code attach. Run `ctvs attach` later to opt in.",
    );
    await writeConfig(host.home, false);
    assert.match(
      (await run(runInstall, ["--yes"], host)).stdout,
      /^ {2}Claude Code attach: skipped \(no proxy configured\)$/m,
    );
  } finally {
    await host.remove();
  }
});

test("ctvs install refuses an npx path, a missing config and an unsupported platform", async () => {
  const host = await fakeHost();
  try {
    assert.deepEqual(await run(runInstall, [], host), {
      code: 2,
      stdout: "",
      stderr: "error: --config is required\n\nhint: run `collectivus` with no arguments for interactive setup",
    });
    host.program = ["/usr/bin/node", "/home/u/.npm/_npx/ab12/node_modules/collectivus/bin/cli.js"];
    assert.deepEqual(await run(runInstall, [], host), {
      code: 1,
      stdout: "",
      stderr:
        "error: `ctvs install` requires a global install. Run `npm install -g collectivus` first, then `ctvs install`.",
    });
    host.program = ["/usr/bin/ctvs"];
    host.platform = "win32";
    const config = await writeConfig(host.home);
    assert.deepEqual(await run(runInstall, [], host), {
      code: 1,
      stdout: "",
      stderr: "error: ctvs install supports Linux (systemd) and macOS (launchd), not win32; " +
        `run \`ctvs --config ${config}\` under your own service manager`,
    });
    assert.deepEqual(host.calls, []);
  } finally {
    await host.remove();
  }
});

test("ctvs status reports daemon, config and clients; ctvs uninstall removes and detaches", async () => {
  const host = await fakeHost({
    answer: (c) => c.includes(" show ") ? { stdout: "LoadState=loaded\nActiveState=active\nMainPID=4242\n" } : {},
  });
  try {
    const config = await writeConfig(host.home);
    await run(runInstall, ["--yes"], host);
    const status = await run(runStatus, [], host);
    assert.equal(status.code, 0);
    assert.equal(
      status.stdout.replace(/^ {2}Attached at: .*$/m, "  Attached at: X"),
      [
        "Daemon",
        "  Status: loaded (PID 4242, active)",
        `  Unit: ${host.home}/.config/systemd/user/${UNIT}`,
        "  Logs:",
        `    stdout: ${host.home}/.hyp/collectivus/collectivus.log (missing)`,
        `    stderr: ${host.home}/.hyp/collectivus/collectivus.err.log (missing)`,
        "",
        "Config",
        `  Path: ${config}`,
        "  Status: valid",
        "  proxy: 127.0.0.1:8787",
        "  sink:  /tmp/rec",
        "",
        "Recording",
        `  Status: no collector has run yet (${host.home}/.collectivus/runtime/collectivus.status.json is missing)`,
        "",
        "Claude Code",
        "  Status: attached",
        "  Attached at: X",
        `  Settings: ${host.home}/.claude/settings.json`,
        "",
        "Codex",
        "  Status: not attached",
        `  Config: ${host.home}/.codex/config.toml`,
      ].join("\n"),
    );
    host.calls.splice(0);
    const removed = await run(runUninstall, [], host);
    assert.equal(
      removed.stdout,
      `✓ Daemon removed (systemd unit: ${UNIT})\n✓ Claude Code detached (${host.home}/.claude/settings.json)\n(Codex was not attached)`,
    );
    assert.deepEqual(host.calls, [
      `systemctl --user stop ${UNIT}`,
      `systemctl --user disable ${UNIT}`,
      "systemctl --user daemon-reload",
    ]);
    await fs.writeFile(config, "{ nope");
    const broken = await run(runStatus, [], host);
    assert.equal(broken.code, 1);
    assert.match(broken.stdout, /^ {2}Unit: .*\(missing\)$/m);
    assert.match(broken.stdout, /^ {2}Status: invalid \(/m);
  } finally {
    await host.remove();
  }
});

/** A config with an `upload` block (and no proxy) at the default path. */
async function writeUploadConfig(home: string): Promise<string> {
  const file = path.join(home, ".hyp", "collectivus.json");
  await fs.mkdir(path.dirname(file), { recursive: true });
  const upload = { bucket: "archive", region: "eu-west-1" };
  await fs.writeFile(file, JSON.stringify({ version: 1, sink: { type: "file", dir: "/tmp/rec" }, upload }));
  return file;
}

test("ctvs install with an upload block refuses without credentials in the environment file, and says how", async () => {
  const host = await fakeHost();
  try {
    await writeUploadConfig(host.home);
    const envFile = path.join(host.home, ".hyp", "collectivus.env");
    assert.deepEqual(await run(runInstall, ["--no"], host), {
      code: 1,
      stdout: "",
      stderr: "error: the config has an upload block, but the daemon would have no AWS credentials: " +
        "it does not see your shell's variables.\n" +
        `Put AWS_ACCESS_KEY_ID=... and AWS_SECRET_ACCESS_KEY=... lines in ${envFile} (chmod 600), ` +
        "then run `ctvs install` again.",
    });
    // A file without the keys is refused too; nothing was installed either time.
    await fs.writeFile(envFile, "AWS_REGION=eu-west-1\n", { mode: 0o600 });
    assert.equal((await run(runInstall, ["--no"], host)).code, 1);
    assert.deepEqual(host.calls, []);
  } finally {
    await host.remove();
  }
});

test("ctvs install passes ~/.hyp/collectivus.env to the systemd unit (EnvironmentFile=) and tightens it to 0600", async () => {
  const host = await fakeHost();
  try {
    await writeUploadConfig(host.home);
    const envFile = path.join(host.home, ".hyp", "collectivus.env");
    await fs.writeFile(envFile, "# archive keys\nAWS_ACCESS_KEY_ID=AKIAEXAMPLE\nAWS_SECRET_ACCESS_KEY='s3cr3t/x+y'\n");
    await fs.chmod(envFile, 0o644);
    const { code, stdout, stderr } = await run(runInstall, ["--no"], host);
    assert.deepEqual({ code, stderr }, { code: 0, stderr: "" });
    assert.equal(
      stdout,
      [
        `  (${envFile} was readable by other users; its mode is now 0600)`,
        `✓ Daemon installed (systemd unit: ${UNIT})`,
        `  Environment: ${envFile}`,
        "  (run `loginctl enable-linger` to keep it running after you log out)",
        "  Claude Code attach: skipped (no proxy configured)",
        `Logs: ${host.home}/.hyp/collectivus/collectivus.log`,
      ].join("\n"),
    );
    assert.equal((await fs.stat(envFile)).mode & 0o777, 0o600);
    const unit = await fs.readFile(path.join(host.home, ".config/systemd/user", UNIT), "utf8");
    assert.match(unit, new RegExp(`^EnvironmentFile=${envFile}$`, "m"));
    assert.doesNotMatch(unit, /AKIAEXAMPLE|s3cr3t/, "the secrets stay in the file");

    // ctvs status names the file and says when it would keep the daemon from starting or is exposed.
    const environment = async () => /^ {2}Environment: .*$/m.exec((await run(runStatus, [], host)).stdout)?.[0];
    assert.equal(await environment(), `  Environment: ${envFile} (mode 0600)`);
    await fs.chmod(envFile, 0o644);
    assert.equal(await environment(), `  Environment: ${envFile} (mode 0644: other users may read it; chmod 600 it)`);
    await fs.rm(envFile);
    assert.equal(await environment(), `  Environment: ${envFile} (missing: the daemon cannot start)`);
  } finally {
    await host.remove();
  }
});

test("ctvs install --env-file on macOS: the agent runs ctvs --env-file; a missing or malformed file is refused", async () => {
  const host = await fakeHost({ platform: "darwin" });
  try {
    await writeConfig(host.home, false);
    const missing = path.join(host.home, "secrets", "none.env");
    assert.deepEqual(await run(runInstall, ["--no", "--env-file", missing], host), {
      code: 1,
      stdout: "",
      stderr: `error: Cannot read the environment file ${missing}: it does not exist`,
    });
    const broken = path.join(host.home, "broken.env");
    await fs.writeFile(broken, "export TOKEN=x\n", { mode: 0o600 });
    assert.match(
      (await run(runInstall, ["--no", "--env-file", broken], host)).stderr,
      /^error: Cannot read the environment file .*broken\.env: line 1: "export" is not supported/,
    );
    const good = path.join(host.home, "daemon.env");
    await fs.writeFile(good, "OPENAI_API_KEY=sk-test\n", { mode: 0o600 });
    assert.equal((await run(runInstall, ["--no", "--env-file", good], host)).code, 0);
    const plist = await fs.readFile(path.join(host.home, "Library/LaunchAgents/com.hyparam.collectivus.plist"), "utf8");
    assert.match(plist, new RegExp(`<string>--env-file</string>\\n\\s*<string>${good}</string>`));
    assert.doesNotMatch(plist, /sk-test/);
  } finally {
    await host.remove();
  }
});
