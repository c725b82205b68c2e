/**
 * Claude Code attach and detach on real settings files in temporary directories: exact contents, comments kept,
 * the user's own hooks and env untouched, byte-for-byte undo, concurrent edits refused, modes kept.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { attachClaude, claudeSettingsPath, detachClaude } from "../../../platform/claude_code/attach.ts";
import { backupPath } from "../../../platform/claude_code/managed_file.ts";
import { tempDir } from "../../helpers/child.ts";

const SPEC = {
  port: 8787,
  command: "/usr/bin/ctvs claude-hook session-context --port 8787",
  attachedAt: "2026-01-02T03:04:05.000Z",
  version: "0.1.0",
};

async function withHome(fn: (file: string) => Promise<void>): Promise<void> {
  const home = await tempDir();
  try {
    await fn(claudeSettingsPath(home.dir));
  } finally {
    await home.remove();
  }
}

const read = (file: string) => fs.readFile(file, "utf8");
const mode = async (file: string) => (await fs.stat(file)).mode & 0o777;

const HANDLER = `{
            "type": "command",
            "command": "/usr/bin/ctvs claude-hook session-context --port 8787"
          }`;

test("attachClaude() creates a missing settings.json with 0600 and the exact content", async () => {
  await withHome(async (file) => {
    assert.deepEqual(await attachClaude(file, SPEC), {});
    const group = (matcher: string) =>
      `[
      {${matcher}
        "hooks": [
          ${HANDLER}
        ]
      }
    ]`;
    assert.equal(
      await read(file),
      `{
  "env": {
    "ANTHROPIC_BASE_URL": "http://127.0.0.1:8787"
  },
  "hooks": {
    "SessionStart": ${group("")},
    "CwdChanged": ${group("")},
    "UserPromptSubmit": ${group("")},
    "PostToolUse": ${group(`\n        "matcher": "Bash",`)}
  },
  "_collectivus": {
    "attached_at": "2026-01-02T03:04:05.000Z",
    "version": "0.1.0",
    "port": 8787
  }
}
`,
    );
    assert.equal(await mode(file), 0o600);
    assert.equal(await mode(backupPath(file)), 0o600);
    assert.deepEqual(await detachClaude(file), { changed: true, warnings: [] });
    await assert.rejects(fs.stat(file), { code: "ENOENT" });
    await assert.rejects(fs.stat(backupPath(file)), { code: "ENOENT" });
  });
});

const COMMENTED = `{
  // my model
  "model": "opus", /* keep me */
  "env": { "FOO": "bar", "ANTHROPIC_BASE_URL": "https://corp.example" },
  "hooks": {
    "SessionStart": [ { "hooks": [ { "type": "command", "command": "echo mine" } ] } ]
  },
}
`;

for (const [name, original] of [["empty", ""], ["{}", "{}"], ["commented, with hooks and env", COMMENTED]]) {
  test(`detachClaude() after attachClaude() restores a ${name} file byte for byte`, async () => {
    await withHome(async (file) => {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, original, { mode: 0o640 });
      await fs.chmod(file, 0o640);
      await attachClaude(file, SPEC);
      assert.equal(await mode(file), 0o640, "mode preserved");
      await detachClaude(file);
      assert.equal(await read(file), original);
      assert.equal(await mode(file), 0o640);
    });
  });
}

test("attachClaude() keeps comments, other settings and the user's own hooks, and reports the previous URL", async () => {
  await withHome(async (file) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, COMMENTED);
    assert.deepEqual(await attachClaude(file, SPEC), { previousBaseUrl: "https://corp.example" });
    const text = await read(file);
    assert.match(text, /\/\/ my model\n {2}"model": "opus", \/\* keep me \*\//);
    assert.match(text, /"FOO": "bar"/);
    assert.match(text, /"command": "echo mine"/);
    assert.match(text, /"previous_base_url": "https:\/\/corp.example"/);
    assert.equal(text.match(/claude-hook session-context/g)?.length, 4);
  });
});

test("attachClaude() twice is idempotent: one set of hooks, and detach still restores the original", async () => {
  await withHome(async (file) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, COMMENTED);
    await attachClaude(file, SPEC);
    const once = await read(file);
    await attachClaude(file, SPEC);
    assert.equal(await read(file), once);
    await detachClaude(file);
    assert.equal(await read(file), COMMENTED);
  });
});

test("detachClaude() after the user edited the file keeps the edit, restores the previous URL, removes the rest", async () => {
  await withHome(async (file) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, COMMENTED);
    await attachClaude(file, SPEC);
    await fs.writeFile(file, (await read(file)).replace('"model": "opus"', '"model": "sonnet"'));
    assert.deepEqual(await detachClaude(file), { changed: true, warnings: [] });
    const text = await read(file);
    assert.match(text, /"model": "sonnet", \/\* keep me \*\//);
    assert.match(text, /"ANTHROPIC_BASE_URL": "https:\/\/corp.example"/);
    assert.match(text, /"command": "echo mine"/);
    assert.doesNotMatch(text, /claude-hook|_collectivus/);
  });
});

test("detachClaude() leaves an ANTHROPIC_BASE_URL changed by someone else, with a warning", async () => {
  await withHome(async (file) => {
    await attachClaude(file, SPEC);
    await fs.writeFile(file, (await read(file)).replace("http://127.0.0.1:8787", "https://other.example"));
    assert.deepEqual(await detachClaude(file), {
      changed: true,
      warnings: ["ANTHROPIC_BASE_URL was overridden externally; leaving in place"],
    });
    assert.equal(await read(file), `{\n  "env": {\n    "ANTHROPIC_BASE_URL": "https://other.example"\n  }\n}\n`);
  });
});

test("detachClaude() on a missing or unattached file changes nothing", async () => {
  await withHome(async (file) => {
    assert.deepEqual(await detachClaude(file), { changed: false, warnings: [] });
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, COMMENTED);
    assert.deepEqual(await detachClaude(file), { changed: false, warnings: [] });
    assert.equal(await read(file), COMMENTED);
  });
});

test("attachClaude() refuses when the file changes between read and write, and leaves it alone", async () => {
  await withHome(async (file) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, "{}\n");
    const edited = '{ "model": "haiku" }\n';
    await assert.rejects(attachClaude(file, SPEC, { beforeWrite: () => fs.writeFile(file, edited) }), {
      code: "CONCURRENT_EDIT",
      message: `${file} changed on disk between read and write; retry`,
    });
    assert.equal(await read(file), edited);
    assert.deepEqual((await fs.readdir(path.dirname(file))).sort(), ["settings.json"]);
  });
});

test("attachClaude() refuses malformed JSON and a non-object root with what to do", async () => {
  await withHome(async (file) => {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{ "a": ');
    await assert.rejects(attachClaude(file, SPEC), {
      code: "MALFORMED_JSON",
      message: `${file} is not valid JSON (ValueExpected at offset 7); fix it and retry`,
    });
    await fs.writeFile(file, "[1]");
    await assert.rejects(attachClaude(file, SPEC), {
      code: "NOT_AN_OBJECT",
      message: `${file} must hold a JSON object; fix it and retry`,
    });
    assert.equal(await read(file), "[1]");
  });
});
