/**
 * End to end in a temporary HOME: `ctvs install --yes` (the service manager is a stub `systemctl` first on PATH, so
 * the real runner logs its calls instead of touching systemd) writes the unit and attaches Claude Code; the collector
 * runs from the written config as a real child, its proxy pointed at the fake upstream; then the real Claude Code CLI
 * from npm runs `claude -p "say hi"` in a git repository, with ANTHROPIC_BASE_URL taken from the attached
 * settings.json and the installed hooks running `ctvs claude-hook session-context`. The recorded exchange row must
 * carry the session's cwd and git branch.
 */
import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { ANSWER_DELTAS } from "../fixtures/fake_upstream_sse.ts";
import { Child, freePort, ROOT, runToEnd, tempDir } from "../helpers/child.ts";
import { npmClient } from "../helpers/npm_clients.ts";

const UNIT = "com.hyparam.collectivus.service";
const BRANCH = "feature/e2e-attach";

/** Runs `claude args...` in `cwd` with exactly `env`; resolves with its exit code and output. */
function runClaude(claude: string, args: string[], cwd: string, env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(claude, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d) => stdout += d);
    child.stderr!.on("data", (d) => stderr += d);
    const timer = setTimeout(() => process.kill(child.pid!, "SIGKILL"), 120_000);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function git(cwd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => execFile("git", args, { cwd }, (e) => e ? reject(e) : resolve()));
}

test("ctvs install --yes, then claude -p through the proxy: the exchange row carries cwd and git branch", async () => {
  // Fails loudly (with npm's output) when the CLI cannot be installed: this test is never skipped.
  const claude = await npmClient("claude");
  const home = await tempDir("ctvs-e2e-home-");
  const upstream = await startFakeUpstream();
  let collector: Child | undefined;
  try {
    // A stub systemctl, and a deno outside any npx cache (install refuses those); the hook command names this deno.
    const bin = path.join(home.dir, "bin");
    await fs.mkdir(bin);
    await fs.writeFile(path.join(bin, "systemctl"), '#!/bin/sh\necho "systemctl $*" >> "$HOME/systemctl.log"\n', {
      mode: 0o755,
    });
    const deno = path.join(bin, "deno");
    await fs.link(process.execPath, deno).catch(() => fs.copyFile(process.execPath, deno));
    const env: Record<string, string> = {
      HOME: home.dir,
      PATH: `${bin}:${process.env.PATH}`,
      NO_COLOR: "1",
      // Keep Deno's module cache where it is, or the collector and every hook download the npm packages again.
      DENO_DIR: process.env.DENO_DIR ??
        path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "deno"),
    };

    const port = await freePort();
    const sink = path.join(home.dir, "rec");
    const configPath = path.join(home.dir, ".hyp", "collectivus.json");
    await fs.mkdir(path.dirname(configPath), { recursive: true });
    await fs.writeFile(
      configPath,
      JSON.stringify({
        version: 1,
        gateway_id: "e2e",
        sink: { type: "file", dir: sink },
        proxy: {
          listen: `127.0.0.1:${port}`,
          upstreams: [{ name: "anthropic", base_url: upstream.url, match: { path_prefix: "/v1/messages" } }],
        },
      }),
    );

    const main = path.join(ROOT, "main.ts");
    const install = await runToEnd(deno, ["run", "--allow-all", "--quiet", main, "install", "--yes"], {
      env,
      cwd: home.dir,
    });
    const settingsPath = path.join(home.dir, ".claude", "settings.json");
    assert.deepEqual(install, {
      code: 0,
      stdout: [
        `✓ Daemon installed (systemd unit: ${UNIT})`,
        "  (run `loginctl enable-linger` to keep it running after you log out)",
        `✓ Claude Code attached (${settingsPath})`,
        `  ANTHROPIC_BASE_URL = http://127.0.0.1:${port}`,
        `Logs: ${home.dir}/.hyp/collectivus/collectivus.log`,
      ].join("\n"),
      stderr: "",
    });
    assert.equal(
      await fs.readFile(path.join(home.dir, "systemctl.log"), "utf8"),
      `systemctl --user daemon-reload\nsystemctl --user enable ${UNIT}\nsystemctl --user restart ${UNIT}\n`,
    );
    const settings = JSON.parse(await fs.readFile(settingsPath, "utf8"));
    const hook = `${deno} run --allow-all ${main} claude-hook session-context --port ${port}`;
    assert.equal(settings.env.ANTHROPIC_BASE_URL, `http://127.0.0.1:${port}`);
    for (const event of ["SessionStart", "CwdChanged", "UserPromptSubmit", "PostToolUse"]) {
      assert.equal(settings.hooks[event][0].hooks[0].command, hook, event);
    }

    // The collector, as the unit would start it: the written config, a real child process.
    collector = new Child(deno, ["run", "--allow-all", "--quiet", main, "--config", configPath], {
      env,
      cwd: home.dir,
    });
    await collector.waitFor(/Proxy listener bound on/, 60_000);

    const repo = await fs.realpath(await fs.mkdtemp(path.join(home.dir, "repo-")));
    await git(repo, ["init", "-q", "-b", BRANCH]);
    const run = await runClaude(claude, ["-p", "say hi"], repo, {
      HOME: home.dir,
      PATH: env.PATH,
      DENO_DIR: env.DENO_DIR,
      ANTHROPIC_API_KEY: "any",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      // The fake answers with text, not a tool call, so the run is one exchange.
      ANTHROPIC_CUSTOM_HEADERS: "x-fake-scenario: text",
    });
    assert.equal(run.code, 0, `claude -p failed:\n${run.stderr}\n${run.stdout}\n${collector.transcript()}`);
    assert.equal(run.stdout.trim(), ANSWER_DELTAS.join(""));

    const messages = upstream.requests.filter((r) => r.method === "POST" && r.url.startsWith("/v1/messages"));
    assert.equal(messages.length, 1, upstream.requests.map((r) => `${r.method} ${r.url}`).join("\n"));

    // Stop the collector so every row is flushed, then read the day file.
    collector.kill("SIGTERM");
    assert.deepEqual(await collector.exited, { code: 0, signal: null });
    const dir = path.join(sink, "e2e", "proxy");
    const files = await fs.readdir(dir);
    assert.equal(files.length, 1, files.join(", "));
    assert.match(files[0], /^\d{4}-\d{2}-\d{2}\.jsonl$/);
    const rows = (await fs.readFile(path.join(dir, files[0]), "utf8")).trim().split("\n").map((l) => JSON.parse(l));
    const exchanges = rows.filter((r) => r.kind === "exchange");
    assert.equal(exchanges.length, 1, JSON.stringify(rows.map((r) => r.kind)));
    const row = exchanges[0];
    assert.equal(row.request.method, "POST");
    assert.equal(row.request.path, "/v1/messages?beta=true");
    assert.equal(row.response.status, 200);
    assert.deepEqual({ cwd: row.cwd, git_branch: row.git_branch }, { cwd: repo, git_branch: BRANCH });
  } finally {
    if (collector && collector.process.exitCode === null && collector.process.signalCode === null) {
      collector.kill("SIGKILL");
      await collector.exited;
    }
    await upstream.close();
    await home.remove();
  }
});
