/**
 * `ctvs skills install` in process against a temporary home: exact files, markers, output lines and exit codes.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { report } from "../../cli/main.ts";
import { runSkills } from "../../cli/skills.ts";
import { BUNDLED_SKILLS } from "../../platform/skills/bundled.ts";
import { captureIo, type FakeHost, fakeHost } from "../platform/daemon/_fake_host.ts";

async function run(argv: string[], host: FakeHost) {
  const io = captureIo();
  let code: number;
  try {
    code = await runSkills(argv, io, host);
  } catch (error) {
    code = report(error, io);
  }
  return { code, stdout: io.stdout.join("\n"), stderr: io.stderr.join("\n") };
}

/** Every file under `dir`, relative, with its text. */
async function tree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const rel of (await fs.readdir(dir, { recursive: true })).sort()) {
    const full = path.join(dir, rel);
    if ((await fs.stat(full)).isFile()) out[rel] = await fs.readFile(full, "utf8");
  }
  return out;
}

const marker = (skill: string, client: string) =>
  `${
    JSON.stringify(
      { managed_by: "collectivus", skill, client, installed_at: "2026-01-02T03:04:05.000Z" },
      null,
      2,
    )
  }\n`;

test("skills install --client claude writes three skills with markers and prints one line each", async () => {
  const host = await fakeHost();
  try {
    const { code, stdout, stderr } = await run(["install", "--client", "claude"], host);
    const root = path.join(host.home, ".claude", "skills");
    assert.deepEqual({ code, stderr }, { code: 0, stderr: "" });
    assert.equal(
      stdout,
      ["collectivus-query", "ctvs-ignore", "ctvs-unignore"]
        .map((n) => `✓ Installed Claude skill ${n} (${path.join(root, n)})`).join("\n"),
    );
    const expected: Record<string, string> = {};
    for (const skill of BUNDLED_SKILLS.filter((s) => s.clients.includes("claude"))) {
      for (const [rel, text] of Object.entries(skill.files)) expected[`${skill.name}/${rel}`] = text;
      expected[`${skill.name}/.collectivus-skill.json`] = marker(skill.name, "claude");
    }
    assert.deepEqual(await tree(root), expected);
    assert.equal(await fs.readdir(path.join(host.home)).then((d) => d.sort().join(",")), ".claude");
  } finally {
    await host.remove();
  }
});

test("skills install (all) puts the query skill in both Codex roots; a rerun updates; --dry-run changes nothing", async () => {
  const host = await fakeHost();
  host.env = { CODEX_HOME: path.join(host.home, "cx") };
  try {
    const first = await run(["install"], host);
    const agents = path.join(host.home, ".agents", "skills", "collectivus-query");
    const codex = path.join(host.home, "cx", "skills", "collectivus-query");
    assert.equal(first.code, 0);
    assert.deepEqual(first.stdout.split("\n").slice(3), [
      `✓ Installed Codex skill collectivus-query (${agents})`,
      `✓ Installed Codex skill collectivus-query (${codex})`,
    ]);
    assert.equal(
      await fs.readFile(path.join(codex, ".collectivus-skill.json"), "utf8"),
      marker("collectivus-query", "codex"),
    );
    assert.deepEqual(Object.keys(await tree(agents)), [".collectivus-skill.json", "SKILL.md", "agents/openai.yaml"]);

    // A stale managed file disappears on update: the directory is replaced, not merged.
    await fs.writeFile(path.join(agents, "old.md"), "stale");
    const dry = await run(["install", "--client", "codex", "--dry-run"], host);
    assert.deepEqual(dry, {
      code: 0,
      stdout:
        `Would update Codex skill collectivus-query (${agents})\nWould update Codex skill collectivus-query (${codex})`,
      stderr: "",
    });
    assert.equal(await fs.readFile(path.join(agents, "old.md"), "utf8"), "stale");
    const second = await run(["install", "--client", "codex"], host);
    assert.equal(
      second.stdout,
      `✓ Updated Codex skill collectivus-query (${agents})\n✓ Updated Codex skill collectivus-query (${codex})`,
    );
    await assert.rejects(fs.stat(path.join(agents, "old.md")), { code: "ENOENT" });
    assert.deepEqual((await fs.readdir(path.dirname(agents))).sort(), ["collectivus-query"]);
  } finally {
    await host.remove();
  }
});

test("an unmanaged directory of the same name fails the run with nothing written, unless --force", async () => {
  const host = await fakeHost();
  try {
    const mine = path.join(host.home, ".claude", "skills", "ctvs-ignore");
    await fs.mkdir(mine, { recursive: true });
    await fs.writeFile(path.join(mine, "SKILL.md"), "my own");
    const refused = await run(["install", "--client", "claude"], host);
    assert.deepEqual(refused, {
      code: 1,
      stdout: "",
      stderr: `error: ${mine} already exists and is not managed by collectivus; pass --force to overwrite`,
    });
    assert.deepEqual(await fs.readdir(path.dirname(mine)), ["ctvs-ignore"]);
    assert.deepEqual(await tree(mine), { "SKILL.md": "my own" });
    const dry = await run(["install", "--client", "claude", "--dry-run", "--force"], host);
    assert.match(
      dry.stdout,
      /^Would install Claude skill collectivus-query .*\nWould update Claude skill ctvs-ignore /,
    );
    const forced = await run(["install", "--client", "claude", "--force"], host);
    assert.equal(forced.code, 0);
    assert.match(forced.stdout, /✓ Updated Claude skill ctvs-ignore/);
    assert.equal(
      await fs.readFile(path.join(mine, "SKILL.md"), "utf8"),
      BUNDLED_SKILLS.find((s) => s.name === "ctvs-ignore")!.files["SKILL.md"],
    );
  } finally {
    await host.remove();
  }
});

test("skills usage errors exit 2; --help exits 0", async () => {
  const host = await fakeHost();
  try {
    const bad = await run(["install", "--client", "vim"], host);
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /^error: --client: expected claude, codex, or all \(got "vim"\)\n\nUsage: ctvs skills install/,
    );
    assert.match((await run([], host)).stderr, /^error: missing subcommand: install/);
    assert.match((await run(["remove"], host)).stderr, /^error: unknown subcommand: remove/);
    const help = await run(["install", "--help"], host);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--dry-run/);
    await assert.rejects(fs.stat(path.join(host.home, ".claude")), { code: "ENOENT" });
  } finally {
    await host.remove();
  }
});
