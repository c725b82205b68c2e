/**
 * `ctvs init`, the walkthrough by name (reference §2.1), and the lazy command registry: `--help`, the refusal
 * without a terminal, a run through a real pseudo-terminal, and summaries that match each command module.
 */
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { attachCommand } from "../../cli/attach.ts";
import { claudeHookCommand } from "../../cli/claude_hook.ts";
import { collectCommand } from "../../cli/collect.ts";
import { COMMANDS } from "../../cli/commands.ts";
import { detachCommand } from "../../cli/detach.ts";
import { exportCommand } from "../../cli/export.ts";
import { healthcheckCommand } from "../../cli/healthcheck.ts";
import { updateCheckCommand } from "../../cli/update_check.ts";
import { importCommand } from "../../cli/import.ts";
import { uploadCommand } from "../../cli/upload.ts";
import { gascityCommand } from "../../cli/gascity.ts";
import { configCommand } from "../../cli/config.ts";
import { adminCommand } from "../../cli/admin.ts";
import { inviteCommand } from "../../cli/invite.ts";
import { joinCommand } from "../../cli/join.ts";
import { rendezvousCommand } from "../../cli/rendezvous.ts";
import { ignoreCommand } from "../../cli/ignore.ts";
import { installCommand } from "../../cli/install.ts";
import type { Io } from "../../cli/io.ts";
import { main } from "../../cli/main.ts";
import { queryCommand } from "../../cli/query.ts";
import { uiCommand } from "../../cli/ui.ts";
import { skillsCommand } from "../../cli/skills.ts";
import { statusCommand } from "../../cli/status.ts";
import { uninstallCommand } from "../../cli/uninstall.ts";
import { initCommand } from "../../cli/walkthrough.ts";
import { ROOT, tempDir } from "../helpers/child.ts";

async function run(argv: string[]) {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const io: Io = { out: (l) => stdout.push(l), err: (l) => stderr.push(l), isTTY: false, color: false };
  const code = await main(argv, io);
  return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") };
}

test("the registry lists every command with its module's own summary, init first", () => {
  const modules = [
    initCommand,
    installCommand,
    uninstallCommand,
    statusCommand,
    attachCommand,
    detachCommand,
    ignoreCommand,
    skillsCommand,
    claudeHookCommand,
    queryCommand,
    uiCommand,
    collectCommand,
    importCommand,
    exportCommand,
    uploadCommand,
    gascityCommand,
    updateCheckCommand,
    healthcheckCommand,
    configCommand,
    adminCommand,
    inviteCommand,
    joinCommand,
    rendezvousCommand,
  ];
  assert.deepEqual(
    COMMANDS.map((c) => [c.name, c.summary]),
    modules.map((c) => [c.name, c.summary]),
  );
});

test("ctvs init --help prints its usage; without a terminal it refuses; a preset is a usage error", async () => {
  for (const flag of ["--help", "-h"]) {
    const { code, stdout, stderr } = await run(["init", flag]);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^Usage: ctvs init\n {7}ctvs init gascity \[<city-dir>\] .*\n\nInteractive setup, the same walkthrough/,
    );
    assert.equal(stderr, "");
  }
  assert.deepEqual(await run(["init"]), {
    code: 1,
    stdout: "",
    stderr: "error: ctvs init is interactive and needs a terminal; without one, write a config and run " +
      "`ctvs install --config <path> --yes`",
  });
  const preset = await run(["init", "server"]);
  assert.equal(preset.code, 2);
  assert.match(preset.stderr, /^error: unknown argument: server\n\nUsage: ctvs init\n/);
});

test("ctvs init on a terminal runs the walkthrough", async () => {
  const home = await tempDir("ctvs-init-");
  try {
    const command = [process.execPath, "run", "--allow-all", "--quiet", path.join(ROOT, "main.ts"), "init"];
    const steps = [
      ["Choose \\[1\\]: ", "\r"],
      ["Sink directory .*: ", "\r"],
      ["Upstreams to record .*: ", "\r"],
      ["Proxy listen .*: ", "\r"],
      ["Save config to .*: ", "\r"],
      ["Write this config to .*\\? \\[Y/n\\]: ", "n\r"],
    ];
    const result = await new Promise<{ screen: string; code: number; stuck_at?: string }>((resolve, reject) => {
      execFile(
        "python3",
        [path.join(ROOT, "tests/cli/walkthrough_pty.py"), JSON.stringify(command), JSON.stringify(steps)],
        {
          // COLLECTIVUS_DISABLE_UPDATE_CHECK: a terminal would ask the real npm registry (update_notice_test.ts).
          env: { ...process.env, HOME: home.dir, NO_COLOR: "1", TERM: "xterm", COLLECTIVUS_DISABLE_UPDATE_CHECK: "1" },
          cwd: home.dir,
          timeout: 120_000,
        },
        (error, stdout, stderr) =>
          error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(JSON.parse(stdout)),
      );
    });
    // Drop readline's cursor movements (ESC [ ... letter) and the terminal's carriage returns.
    const screen = result.screen.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*[A-Za-z]`, "g"), "")
      .replace(/\r/g, "");
    assert.equal(result.stuck_at, undefined, screen);
    assert.equal(result.code, 0, screen);
    assert.match(screen, /^Welcome to collectivus\.\n/);
    assert.match(screen, /Write this config to .*\/\.hyp\/collectivus\.json\? \[Y\/n\]: n\nNothing written\.\n$/);
    await assert.rejects(fs.stat(path.join(home.dir, ".hyp", "collectivus.json")), { code: "ENOENT" });
  } finally {
    await home.remove();
  }
});
