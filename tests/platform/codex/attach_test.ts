/**
 * Codex attach and detach on real config.toml files: the exact managed blocks, the previous model_provider kept
 * and restored, multiline strings respected, byte-for-byte undo.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { attachCodex, codexHome, detachCodex } from "../../../platform/codex/attach.ts";
import { tempDir } from "../../helpers/child.ts";

const SPEC = { port: 8787, attachedAt: "2026-01-02T03:04:05.000Z", version: "0.1.0" };

const ORIGINAL = `# my codex
model = "gpt-5"
model_provider = "openai"
notes = """
[not a table]
"""

[profiles.fast]
model = "gpt-5-mini"
`;

async function withFile(text: string | undefined, fn: (file: string) => Promise<void>): Promise<void> {
  const home = await tempDir();
  const file = path.join(codexHome(home.dir, {}), "config.toml");
  try {
    if (text !== undefined) {
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    }
    await fn(file);
  } finally {
    await home.remove();
  }
}

const PROVIDER = `# BEGIN collectivus codex provider
[model_providers.collectivus]
name = "Collectivus OpenAI Proxy"
base_url = "http://127.0.0.1:8787/v1"
requires_openai_auth = true
wire_api = "responses"
supports_websockets = false
# END collectivus codex provider
`;

test("codexHome() prefers CODEX_HOME", () => {
  assert.equal(codexHome("/h", { CODEX_HOME: "/c" }), "/c");
  assert.equal(codexHome("/h", {}), "/h/.codex");
});

test("attachCodex() writes the managed blocks before the first table and at the end", async () => {
  await withFile(ORIGINAL, async (file) => {
    assert.deepEqual(await attachCodex(file, SPEC), { previousModelProvider: "openai" });
    assert.equal(
      await fs.readFile(file, "utf8"),
      `# my codex
model = "gpt-5"
notes = """
[not a table]
"""

# BEGIN collectivus codex model_provider
# attached_at = "2026-01-02T03:04:05.000Z"
# version = "0.1.0"
# port = 8787
# previous_model_provider = "openai"
model_provider = "collectivus"
# END collectivus codex model_provider

[profiles.fast]
model = "gpt-5-mini"

${PROVIDER}`,
    );
    const again = await fs.readFile(file, "utf8");
    await attachCodex(file, SPEC);
    assert.equal(await fs.readFile(file, "utf8"), again, "idempotent");
    assert.deepEqual(await detachCodex(file), { changed: true, warnings: [] });
    assert.equal(await fs.readFile(file, "utf8"), ORIGINAL);
  });
});

test("attachCodex() creates a missing config with 0600; detach removes it again", async () => {
  await withFile(undefined, async (file) => {
    assert.deepEqual(await attachCodex(file, SPEC), {});
    assert.equal((await fs.stat(file)).mode & 0o777, 0o600);
    assert.match(await fs.readFile(file, "utf8"), /^# BEGIN collectivus codex model_provider\n/);
    await detachCodex(file);
    await assert.rejects(fs.stat(file), { code: "ENOENT" });
  });
});

test("detachCodex() after a user edit restores model_provider structurally and keeps the edit", async () => {
  await withFile(ORIGINAL, async (file) => {
    await attachCodex(file, SPEC);
    await fs.writeFile(file, (await fs.readFile(file, "utf8")).replace('"gpt-5-mini"', '"o3"'));
    assert.deepEqual(await detachCodex(file), { changed: true, warnings: [] });
    const text = await fs.readFile(file, "utf8");
    assert.match(text, /^model_provider = "openai"$/m);
    assert.match(text, /model = "o3"/);
    assert.doesNotMatch(text, /collectivus/);
  });
});

test("detachCodex() is a no-op without blocks and refuses an unterminated block", async () => {
  await withFile(ORIGINAL, async (file) => {
    assert.deepEqual(await detachCodex(file), { changed: false, warnings: [] });
    assert.equal(await fs.readFile(file, "utf8"), ORIGINAL);
    await fs.writeFile(file, "# BEGIN collectivus codex provider\n[model_providers.collectivus]\n");
    await assert.rejects(detachCodex(file), {
      code: "MALFORMED_MARKER",
      message: "unterminated collectivus-managed Codex config block",
    });
  });
});
