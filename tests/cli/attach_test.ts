/**
 * `ctvs attach` and `ctvs detach` in process against a temporary home: messages, exit codes, files.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runAttach } from "../../cli/attach.ts";
import { runDetach } from "../../cli/detach.ts";
import { report } from "../../cli/main.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";

async function run(fn: typeof runAttach, argv: string[], host: Awaited<ReturnType<typeof fakeHost>>) {
  const io = captureIo();
  let code: number;
  try {
    code = await fn(argv, io, host);
  } catch (error) {
    code = report(error, io);
  }
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

async function writeConfig(home: string, proxy?: unknown): Promise<string> {
  const file = path.join(home, ".hyp", "collectivus.json");
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(
    file,
    JSON.stringify({ version: 1, sink: { type: "file", dir: "/tmp/x" }, ...(proxy ? { proxy } : {}) }),
  );
  return file;
}

const CLAUDE_SKILLS = ["collectivus-query", "ctvs-ignore", "ctvs-unignore"];

/** The lines an attach prints for the Claude skills it installs (or updates) under `home`. */
function skillLines(home: string, verb: "Installed" | "Updated"): string {
  return CLAUDE_SKILLS.map((s) => `\n  ${verb} Claude skill ${s} (${path.join(home, ".claude", "skills", s)})`).join(
    "",
  );
}

const ANTHROPIC = { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } };

test("ctvs attach --port attaches Claude Code and prints the reference lines; detach undoes it", async () => {
  const host = await fakeHost();
  try {
    const settings = path.join(host.home, ".claude", "settings.json");
    await fs.mkdir(path.dirname(settings), { recursive: true });
    await fs.writeFile(settings, '{ "env": { "ANTHROPIC_BASE_URL": "https://corp.example" } }\n');
    const attached = await run(runAttach, ["--port", "9000"], host);
    assert.deepEqual(attached, {
      code: 0,
      stdout: `✓ Claude Code attached (${settings})\n  ANTHROPIC_BASE_URL = http://127.0.0.1:9000\n` +
        "  (previous ANTHROPIC_BASE_URL was https://corp.example; `ctvs detach` restores it)" +
        skillLines(host.home, "Installed"),
      stderr: "",
    });
    assert.match(
      await fs.readFile(settings, "utf8"),
      /"command": "\/opt\/ctvs\/bin\/ctvs claude-hook session-context --port 9000"/,
    );
    assert.deepEqual(await run(runDetach, [], host), {
      code: 0,
      stdout: `✓ Claude Code detached (${settings})`,
      stderr: "",
    });
    assert.equal(await fs.readFile(settings, "utf8"), '{ "env": { "ANTHROPIC_BASE_URL": "https://corp.example" } }\n');
    assert.deepEqual(await run(runDetach, ["--client", "all"], host), {
      code: 0,
      stdout: "(Claude Code was not attached)\n(Codex was not attached)",
      stderr: "",
    });
  } finally {
    await host.remove();
  }
});

test("ctvs attach reads the port from the default config and attaches Codex under CODEX_HOME", async () => {
  const host = await fakeHost();
  try {
    host.env.CODEX_HOME = path.join(host.home, "codex");
    await writeConfig(host.home, {
      listen: "127.0.0.1:8788",
      upstreams: [ANTHROPIC, { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } }],
    });
    const { code, stdout } = await run(runAttach, ["--client", "all"], host);
    assert.equal(code, 0);
    assert.match(
      stdout,
      /^✓ Codex attached \(.*\/codex\/config\.toml\)\n {2}model_provider = collectivus\n {2}base_url = http:\/\/127\.0\.0\.1:8788\/v1$/m,
    );
    assert.match(await fs.readFile(path.join(host.home, "codex", "config.toml"), "utf8"), /127\.0\.0\.1:8788\/v1/);
  } finally {
    await host.remove();
  }
});

test("ctvs attach --client codex refuses a config.toml that is not valid TOML: exit 1, the file untouched", async () => {
  const host = await fakeHost();
  try {
    host.env.CODEX_HOME = path.join(host.home, "codex");
    const file = path.join(host.home, "codex", "config.toml");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, 'model = "gpt-5\n');
    const { code, stdout, stderr } = await run(runAttach, ["--port", "8788", "--client", "codex"], host);
    assert.deepEqual({ code, stdout }, { code: 1, stdout: "" });
    assert.match(
      stderr,
      new RegExp(`^error: ${file} is not valid TOML \\(line 1, column \\d+: .+\\); fix it and retry$`),
    );
    assert.equal(await fs.readFile(file, "utf8"), 'model = "gpt-5\n');
  } finally {
    await host.remove();
  }
});

test("ctvs attach errors: usage (exit 2) and config (exit 1) messages", async () => {
  const host = await fakeHost();
  try {
    const usage = async (argv: string[], message: string) => {
      const { code, stderr } = await run(runAttach, argv, host);
      assert.equal(code, 2);
      assert.equal(stderr.split("\n")[0], `error: ${message}`);
    };
    await usage([], "one of --config or --port is required");
    await usage(["--config", "x", "--port", "1"], "--config and --port are mutually exclusive");
    await usage(["--port", "x"], '--port: not a valid port (got "x")');
    await usage(["--port", "1", "--client", "vim"], '--client: expected claude, codex, or all (got "vim")');
    const file = await writeConfig(host.home);
    assert.deepEqual(await run(runAttach, ["--config", file], host), {
      code: 1,
      stdout: "",
      stderr: "error: config must define `proxy.listen` to derive the attach port",
    });
    await writeConfig(host.home, { listen: "127.0.0.1:8787", upstreams: [ANTHROPIC] });
    const codex = await run(runAttach, ["--client", "codex"], host);
    assert.equal(codex.code, 1);
    assert.match(codex.stderr, /^error: Codex attach requires a proxy upstream that routes \/v1\/responses/);
    const settings = path.join(host.home, ".claude", "settings.json");
    await fs.mkdir(path.dirname(settings), { recursive: true });
    await fs.writeFile(settings, "[]");
    assert.deepEqual(await run(runAttach, ["--port", "1"], host), {
      code: 1,
      stdout: "",
      stderr: `error: ${settings} must hold a JSON object; fix it and retry`,
    });
  } finally {
    await host.remove();
  }
});

test("ctvs attach --client claude installs the Claude skills: updated on re-attach, only a warning when blocked", async () => {
  const host = await fakeHost();
  try {
    const settings = path.join(host.home, ".claude", "settings.json");
    const attachedLines = `✓ Claude Code attached (${settings})\n  ANTHROPIC_BASE_URL = http://127.0.0.1:9001`;
    assert.deepEqual(await run(runAttach, ["--port", "9001", "--client", "claude"], host), {
      code: 0,
      stdout: attachedLines + skillLines(host.home, "Installed"),
      stderr: "",
    });
    for (const s of CLAUDE_SKILLS) {
      const dir = path.join(host.home, ".claude", "skills", s);
      assert.deepEqual(JSON.parse(await fs.readFile(path.join(dir, ".collectivus-skill.json"), "utf8")), {
        managed_by: "collectivus",
        skill: s,
        client: "claude",
        installed_at: host.now().toISOString(),
      });
      assert.match(await fs.readFile(path.join(dir, "SKILL.md"), "utf8"), new RegExp(`^---\nname: ${s}\n`));
    }
    assert.deepEqual(await run(runAttach, ["--port", "9001"], host), {
      code: 0,
      stdout: attachedLines + skillLines(host.home, "Updated"),
      stderr: "",
    });
    // A directory of the user's own with a skill's name blocks the skills, not the attach.
    const mine = path.join(host.home, ".claude", "skills", "ctvs-ignore");
    await fs.rm(mine, { recursive: true });
    await fs.mkdir(mine);
    await fs.writeFile(path.join(mine, "SKILL.md"), "mine\n");
    assert.deepEqual(await run(runAttach, ["--port", "9001"], host), {
      code: 0,
      stdout: attachedLines,
      stderr: `warning: failed to install Claude helper skills: ${mine} already exists and is not managed by ` +
        "collectivus; pass --force to overwrite; run 'ctvs skills install --client claude' to retry",
    });
    assert.equal(await fs.readFile(path.join(mine, "SKILL.md"), "utf8"), "mine\n");
  } finally {
    await host.remove();
  }
});

test("ctvs attach --help and detach --help print usage", async () => {
  const host = await fakeHost();
  try {
    assert.match((await run(runAttach, ["--help"], host)).stdout, /^Usage: ctvs attach/);
    assert.match((await run(runDetach, ["-h"], host)).stdout, /^Usage: ctvs detach/);
  } finally {
    await host.remove();
  }
});
