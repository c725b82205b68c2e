/**
 * Codex attach and detach on real config.toml files: the exact managed blocks, the previous model_provider kept
 * and restored, multiline strings respected, byte-for-byte undo.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { parse } from "smol-toml";
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

/** Attaches `original`, checks the result is the TOML Codex needs with every other setting as it was, detaches. */
async function roundTrip(original: string, previous: string | undefined): Promise<string> {
  let attached = "";
  await withFile(original, async (file) => {
    assert.deepEqual(await attachCodex(file, SPEC), previous === undefined ? {} : { previousModelProvider: previous });
    attached = await fs.readFile(file, "utf8");
    // deno-lint-ignore no-explicit-any
    const parsed = parse(attached) as any;
    assert.equal(parsed.model_provider, "collectivus");
    assert.equal(parsed.model_providers.collectivus.base_url, "http://127.0.0.1:8787/v1");
    // A user edit elsewhere makes detach structural rather than the exact backup.
    await fs.writeFile(file, `${attached}# edited\n`);
    assert.deepEqual(await detachCodex(file), { changed: true, warnings: [] });
    const detached = await fs.readFile(file, "utf8");
    const { model_provider: _a, ...rest } = parse(original);
    const { model_provider: restored, ...others } = parse(detached);
    assert.deepEqual(others, rest);
    assert.equal(restored, previous);
  });
  return attached;
}

test("attachCodex() replaces a single-quoted model_provider instead of adding a second one", async () => {
  const attached = await roundTrip("model_provider = 'openai' # the default\n\n[profiles.x]\nmodel = 'o3'\n", "openai");
  assert.doesNotMatch(attached, /'openai'/);
  assert.match(attached, /^# previous_model_provider = "openai"$/m);
});

test("attachCodex() keeps blank lines inside multiline strings", async () => {
  const notes = "notes = \"\"\"\nfirst\n\n\n\nlast\n\"\"\"\nraw = '''\na\n\n\nb'''\n";
  const attached = await roundTrip(`${notes}model_provider = "openai"\n`, "openai");
  assert.ok(attached.startsWith(notes), attached);
});

test("attachCodex() does not take an indented [ inside an array for a table", async () => {
  const original =
    'model = "gpt-5"\nmatrix = [\n  [1, 2],\n  [3, 4],\n]\nmodel_provider = "openai"\n\n  [profiles.x]\n' +
    "  model = 'o3'\n";
  const attached = await roundTrip(original, "openai");
  assert.match(attached, /^ {2}\[3, 4\],\n\]\n\n# BEGIN collectivus codex model_provider\n/m);
  assert.match(attached, /# END collectivus codex model_provider\n\n {2}\[profiles\.x\]\n/);
});

test("attachCodex() remembers and restores a model_provider that needs escapes; keeps CRLF line breaks", async () => {
  const attached = await roundTrip('model_provider = \'my "p"\\x\'\r\n[profiles.x]\r\nmodel = "o3"\r\n', 'my "p"\\x');
  assert.match(attached, /^# previous_model_provider = "my \\"p\\"\\\\x"\r$/m);
  assert.doesNotMatch(attached, /[^\r]\n/);
});

test("attachCodex() puts the root block above the comments that describe the first table", async () => {
  await withFile('model = "o3"\n# my profiles\n[profiles.x]\n', async (file) => {
    await attachCodex(file, SPEC);
    assert.match(
      await fs.readFile(file, "utf8"),
      /# END collectivus codex model_provider\n\n# my profiles\n\[profiles/,
    );
  });
});

test("attachCodex() refuses a config that is not valid TOML and writes nothing", async () => {
  const broken = 'model = "gpt-5"\nmodel_provider = "openai\n';
  await withFile(broken, async (file) => {
    await assert.rejects(attachCodex(file, SPEC), {
      code: "MALFORMED_TOML",
      message: new RegExp(`^${file} is not valid TOML \\(line 2, column \\d+: .+\\); fix it and retry$`),
    });
    assert.equal(await fs.readFile(file, "utf8"), broken);
    await assert.rejects(fs.stat(`${file}.collectivus-backup.json`), { code: "ENOENT" });
  });
});

test("attachCodex() refuses an edit that would leave invalid TOML and writes nothing", async () => {
  const inline = 'model = "gpt-5"\n\n[model_providers]\ncollectivus = { name = "mine", base_url = "http://x" }\n';
  await withFile(inline, async (file) => {
    await assert.rejects(attachCodex(file, SPEC), {
      code: "UNSAFE_EDIT",
      message: new RegExp(`^${file} cannot be attached without making it invalid TOML \\(.+\\); nothing was written$`),
    });
    assert.equal(await fs.readFile(file, "utf8"), inline);
  });
});

test("detachCodex() refuses a config that became invalid TOML after attach", async () => {
  await withFile(ORIGINAL, async (file) => {
    await attachCodex(file, SPEC);
    await fs.appendFile(file, "oops = \n");
    await assert.rejects(detachCodex(file), { code: "MALFORMED_TOML", message: /is not valid TOML \(line \d+/ });
  });
});

test("detachCodex() leaves a model_provider the user set outside the managed block, with a warning", async () => {
  await withFile(ORIGINAL, async (file) => {
    await attachCodex(file, SPEC);
    const edited = (await fs.readFile(file, "utf8")).replace('model_provider = "collectivus"\n', "")
      .replace('model = "gpt-5"\n', 'model = "gpt-5"\nmodel_provider = "azure"\n');
    await fs.writeFile(file, edited);
    assert.deepEqual(await detachCodex(file), {
      changed: true,
      warnings: ["model_provider was changed externally; leaving azure in place"],
    });
    const detached = parse(await fs.readFile(file, "utf8"));
    assert.equal(detached.model_provider, "azure");
    assert.equal((detached.model_providers as Record<string, unknown> | undefined)?.collectivus, undefined);
  });
});
