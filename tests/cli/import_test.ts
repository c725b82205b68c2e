import assert from "node:assert/strict";
import { cp, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs } from "../helpers/child.ts";
import { FIXTURES } from "../e2e/transcripts_record.ts";
import { scratch } from "../query/transcript_import/_setup.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

async function configIn(dir: string, root: string): Promise<string> {
  const file = path.join(dir, "collectivus.json");
  await writeFile(file, JSON.stringify({ version: 1, gateway_id: "e2e", sink: { type: "file", dir: root } }));
  return file;
}

function jsonl(text: string): Row[] {
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

test("ctvs import: usage errors exit 2 with the usage; --help prints it", async () => {
  const cases: [string[], RegExp][] = [
    [[], /^error: which transcripts\? claude, codex, or all\n\nUsage: ctvs import claude\|codex\|all/],
    [["cursor"], /^error: unknown source: cursor \(claude, codex, all\)\n/],
    [["all", "--path", "/tmp"], /^error: --path reads one client's directory: use it with claude or codex\n/],
    [["claude", "--since", "yesterday"], /^error: --since requires a date \(YYYYMMDD, YYYY-MM-DD\) or a duration/],
    [["claude", "--format", "csv"], /^error: --format must be text or json\n/],
    [["claude", "codex"], /^error: unknown argument: codex\n/],
  ];
  for (const [args, message] of cases) {
    const result = await ctvs(["import", ...args, "--default-config"]);
    assert.equal(result.code, 2, args.join(" "));
    assert.match(result.stderr, message);
  }
  const help = await ctvs(["import", "--help"]);
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^Usage: ctvs import claude\|codex\|all \[--since <date>\]/);
});

test("ctvs import all reads the clients' directories, says what it wrote, and adds nothing the second time", async () => {
  const s = await scratch();
  try {
    const config = await configIn(s.dir, s.root);
    const env = { CLAUDE_CONFIG_DIR: path.dirname(s.claude), CODEX_HOME: s.codex };
    const first = await ctvs(["import", "all", "--config", config], { env });
    assert.equal(first.code, 0, first.stderr);
    // Piped: no progress line.
    assert.equal(first.stderr, "");
    assert.deepEqual(first.stdout.split("\n"), [
      "Claude Code: 1 transcript, 1 with new lines: 24 lines (0.0 MB) → 15 message parts, 4 usage records",
      "Codex: 1 transcript, 1 with new lines: 43 lines (0.1 MB) → 16 message parts, 4 usage records",
      "Query it: ctvs query usage --source all, or ctvs query sql over transcript_messages and transcript_requests",
    ]);
    const again = await ctvs(["import", "all", "--config", config, "--format", "json"], { env });
    assert.equal(again.code, 0, again.stderr);
    const summary = JSON.parse(again.stdout);
    assert.deepEqual(
      [summary.sources.claude_code.read, summary.sources.codex.read, summary.sources.codex.files],
      [0, 0, 1],
    );
    assert.equal(summary.root, s.root);
    const usage = await ctvs(["query", "usage", "--source", "transcripts", "--config", config, "--format", "jsonl"]);
    assert.equal(usage.code, 0, usage.stderr);
    assert.deepEqual(jsonl(usage.stdout).map((r) => [r.date, r.requests, r.output_tokens, r.models]), [
      ["2026-12-06", 8, 182, "claude-sonnet-4-5-20250929, gpt-5"],
      ["Total", 8, 182, "claude-sonnet-4-5-20250929, gpt-5"],
    ]);
    const parts = await ctvs([
      "query",
      "sql",
      "select conversation_source, count(*) as parts, count(distinct message_id) as messages from transcript_messages " +
      "group by 1 order by 1",
      "--config",
      config,
      "--format",
      "jsonl",
    ]);
    assert.deepEqual(jsonl(parts.stdout), [
      { conversation_source: "claude_code", parts: 15, messages: 9 },
      { conversation_source: "codex", parts: 16, messages: 15 },
    ]);
  } finally {
    await s.remove();
  }
});

test("ctvs query usage --source all counts once what the proxy and a transcript both saw, from the proxy", async () => {
  const s = await scratch();
  try {
    await cp(path.join(FIXTURES, "proxy"), s.root, { recursive: true });
    const config = await configIn(s.dir, s.root);
    const imported = await ctvs(["import", "claude", "--path", s.claude, "--config", config]);
    assert.equal(imported.code, 0, imported.stderr);
    const report = async (source: string) => {
      const r = await ctvs(["query", "usage", "model", "--source", source, "--config", config, "--format", "jsonl"]);
      assert.equal(r.code, 0, r.stderr);
      return jsonl(r.stdout).map((x) => [x.model, x.requests, x.input_tokens, x.output_tokens, x.cost_usd]);
    };
    const proxy = await report("proxy");
    assert.deepEqual(proxy.map((r) => r.slice(0, 2)), [
      ["claude-sonnet-4-5-20250929", 4],
      ["gpt-5", 4],
      ["Total", 8],
    ]);
    assert.deepEqual(await report("all"), proxy);
    assert.deepEqual((await report("transcripts"))[0], proxy[0]);
  } finally {
    await s.remove();
  }
});

test("ctvs import: a --path without transcripts and a config without a sink are errors (exit 1)", async () => {
  const s = await scratch();
  try {
    const config = await configIn(s.dir, s.root);
    const empty = await ctvs(["import", "codex", "--path", s.root, "--config", config]);
    assert.equal(empty.code, 1);
    assert.equal(empty.stderr, `error: no transcripts found in ${s.root}`);
    const noSink = path.join(s.dir, "nosink.json");
    await writeFile(noSink, JSON.stringify({ version: 1 }));
    const result = await ctvs(["import", "claude", "--path", s.claude, "--config", noSink]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /config has no local recording root; set sink.dir/);
  } finally {
    await s.remove();
  }
});
