import assert from "node:assert/strict";
import { mkdir, readFile, symlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { requestRow } from "../../../query/llm_requests/request_row.ts";
import { MessageWalker, readExchange } from "../../../query/proxy_messages/walker.ts";
import { readTranscriptRuns, TranscriptLookup } from "../../../query/transcripts.ts";
import { ctvs, tempDir } from "../../helpers/child.ts";
import { exchangeRow, type Row, writeConfig, writeProxyDay } from "../proxy_messages/_fixtures.ts";

const SESSION = "5e55e55e-0000-4000-8000-0000000000c1";
const metadata = { user_id: JSON.stringify({ session_id: SESSION, account_uuid: "acct" }) };

/** A Claude Code transcript: context lines around noise (no time, another session, a 2 MB line, not JSON). */
function transcriptLines(): string[] {
  const line = (ts: string, extra: Row) =>
    JSON.stringify({
      parentUuid: null,
      isSidechain: false,
      userType: "external",
      entrypoint: "cli",
      sessionId: SESSION,
      type: "user",
      message: { role: "user", content: "hi" },
      uuid: `u-${ts}`,
      timestamp: ts,
      ...extra,
    });
  return [
    JSON.stringify({ type: "summary", summary: "a task", leafUuid: "u-0" }),
    line("2025-10-01T10:00:00.000Z", { cwd: "/work/app", gitBranch: "main", version: "2.1.197" }),
    line("2025-10-01T10:00:30.000Z", { cwd: "/work/app", gitBranch: "main", version: "2.1.197" }),
    line("2025-10-01T10:01:00.000Z", { cwd: "/elsewhere", gitBranch: "x", version: "9", sessionId: "other" }),
    line("2025-10-01T10:02:00.000Z", { cwd: "/huge", gitBranch: "huge", pad: "x".repeat(2 * 1024 * 1024) }),
    "{not json",
    line("2025-10-01T11:00:00.000Z", { cwd: "/work/app", gitBranch: "feature/login", version: "2.1.198" }),
  ];
}

async function writeTranscript(projects: string): Promise<string> {
  const dir = path.join(projects, "-work-app");
  await mkdir(dir, { recursive: true });
  // Another project's session: not this one.
  await mkdir(path.join(projects, "-other"), { recursive: true });
  await writeFile(path.join(projects, "-other", "unrelated.jsonl"), "{}\n");
  const file = path.join(dir, `${SESSION}.jsonl`);
  await writeFile(file, transcriptLines().join("\n") + "\n");
  return file;
}

/** Three exchanges of the session: near the first context, with hook context, near the second context. */
function exchanges(): Row[] {
  const ask = (text: string) => ({ role: "user", content: text });
  return [
    exchangeRow("e1", "2025-10-01T10:00:40.000Z", {
      body: { model: "claude-sonnet-4-5", metadata, messages: [ask("one")] },
      user_agent: "claude-cli/2.1.100 (external, cli)",
    }),
    exchangeRow("e2", "2025-10-01T10:05:00.000Z", {
      body: { model: "claude-sonnet-4-5", metadata, messages: [ask("one"), ask("two")] },
      cwd: "/hook/cwd",
      git_branch: "hook-branch",
    }),
    exchangeRow("e3", "2025-10-01T10:50:00.000Z", {
      body: { model: "claude-sonnet-4-5", metadata, messages: [ask("one"), ask("two"), ask("three")] },
    }),
  ];
}

test("readTranscriptRuns: streamed, only this session's timed context, long lines skipped, runs compacted", async () => {
  const tmp = await tempDir();
  try {
    const file = await writeTranscript(path.join(tmp.dir, "projects"));
    assert.deepEqual(await readTranscriptRuns(file, SESSION), [
      {
        from: Date.parse("2025-10-01T10:00:00.000Z"),
        to: Date.parse("2025-10-01T10:00:30.000Z"),
        entry: { cwd: "/work/app", git_branch: "main", version: "2.1.197" },
      },
      {
        from: Date.parse("2025-10-01T11:00:00.000Z"),
        to: Date.parse("2025-10-01T11:00:00.000Z"),
        entry: { cwd: "/work/app", git_branch: "feature/login", version: "2.1.198" },
      },
    ]);
  } finally {
    await tmp.remove();
  }
});

test("proxy_messages and llm_requests: cwd, git_branch and version from the nearest transcript context, hook first", async () => {
  const tmp = await tempDir();
  try {
    const projects = path.join(tmp.dir, "projects");
    await writeTranscript(projects);
    const lookup = new TranscriptLookup(projects);
    const walker = new MessageWalker({ transcript: (s, at) => lookup.entry(s, at) });
    const rows: Row[] = [];
    const requests: Row[] = [];
    for (const exchange of exchanges()) {
      const read = readExchange({ exchange, events: [] })!;
      if (read.transcriptSession) await lookup.load(read.transcriptSession);
      rows.push(...walker.rows(read));
      const entry = read.transcriptSession ? lookup.entry(read.transcriptSession, exchange.ts_start) : undefined;
      requests.push(requestRow({ exchange, events: [] }, read.body, entry));
    }
    assert.deepEqual(
      rows.map((r) => [r.message_index, r.content_text, r.cwd, r.git_branch, (r.attributes as Row).client]),
      [
        [0, "one", "/work/app", "main", { claude_version: "2.1.197" }],
        [1, "two", "/hook/cwd", "hook-branch", { claude_version: "2.1.197" }],
        [2, "three", "/work/app", "feature/login", { claude_version: "2.1.198" }],
      ],
    );
    assert.deepEqual(requests.map((r) => [r.exchange_id, r.cwd, r.git_branch]), [
      ["e1", "/work/app", "main"],
      ["e2", "/hook/cwd", "hook-branch"],
      ["e3", "/work/app", "feature/login"],
    ]);
    // No transcript for the session: the hook context only, the version from the user agent.
    const bare = new MessageWalker();
    assert.deepEqual(
      bare.exchange({ exchange: exchanges()[0], events: [] }).map((r) => [r.cwd, r.git_branch, r.attributes]),
      [[null, null, {
        provider_raw: { metadata },
        timing: { latency_ms: 1500 },
        client: { claude_version: "2.1.100" },
      }]],
    );
  } finally {
    await tmp.remove();
  }
});

test("ctvs query: transcripts under ~/.claude/projects or $CLAUDE_CONFIG_DIR/projects fill proxy_messages rows", async () => {
  const tmp = await tempDir();
  try {
    const config = await writeConfig(tmp.dir);
    await writeProxyDay(path.join(tmp.dir, "data"), "gw", "2025-10-01", exchanges());
    const sql = "select message_index, cwd, git_branch, attributes->>'$.client.claude_version' as version " +
      "from proxy_messages order by message_index";
    const expected = "message_index,cwd,git_branch,version\n" +
      "0,/work/app,main,2.1.197\n1,/hook/cwd,hook-branch,2.1.197\n2,/work/app,feature/login,2.1.198";
    const home = path.join(tmp.dir, "home");
    await writeTranscript(path.join(home, ".claude", "projects"));
    const run = (env: Record<string, string>, cache: string) =>
      ctvs(["query", "sql", sql, "--config", config, "--cache-dir", path.join(tmp.dir, cache), "--format", "csv"], {
        env,
      });
    const byHome = await run({ HOME: home, CLAUDE_CONFIG_DIR: "" }, "c1");
    assert.equal(byHome.code, 0, byHome.stderr);
    assert.equal(byHome.stdout, expected);
    const claudeDir = path.join(tmp.dir, "claude");
    await writeTranscript(path.join(claudeDir, "projects"));
    const byEnv = await run({ HOME: path.join(tmp.dir, "nohome"), CLAUDE_CONFIG_DIR: claudeDir }, "c2");
    assert.equal(byEnv.code, 0, byEnv.stderr);
    assert.equal(byEnv.stdout, expected);
    // query.claude_transcripts_dir in the config wins over both.
    const configured = path.join(tmp.dir, "configured");
    await writeTranscript(configured);
    const withKey = async (value: string | false) => {
      const parsed = JSON.parse(await readFile(config, "utf8"));
      await writeFile(config, JSON.stringify({ ...parsed, query: { claude_transcripts_dir: value } }));
    };
    await withKey(configured);
    const byKey = await run({ HOME: path.join(tmp.dir, "nohome"), CLAUDE_CONFIG_DIR: "" }, "c4");
    assert.equal(byKey.code, 0, byKey.stderr);
    assert.equal(byKey.stdout, expected);
    await withKey(false);
    const off = await run({ HOME: home, CLAUDE_CONFIG_DIR: claudeDir }, "c5");
    assert.equal(off.code, 0, off.stderr);
    assert.equal(
      off.stdout,
      "message_index,cwd,git_branch,version\n0,,,2.1.100\n1,/hook/cwd,hook-branch,2.1.197\n2,,,2.1.197",
    );
    await withKey(path.join(tmp.dir, "nowhere"));
    // No transcripts: the hook context only.
    const none = await run({ HOME: path.join(tmp.dir, "nohome"), CLAUDE_CONFIG_DIR: "" }, "c3");
    assert.equal(none.code, 0, none.stderr);
    assert.equal(
      none.stdout,
      "message_index,cwd,git_branch,version\n0,,,2.1.100\n1,/hook/cwd,hook-branch,2.1.197\n2,,,2.1.197",
    );
  } finally {
    await tmp.remove();
  }
});

test("TranscriptLookup: a missing folder or transcript is nothing; one that cannot be read is an error saying so", async () => {
  const tmp = await tempDir();
  try {
    const missing = new TranscriptLookup(path.join(tmp.dir, "no-such-projects"));
    await missing.load(SESSION);
    assert.equal(missing.entry(SESSION, "2025-10-01T10:00:00.000Z"), undefined);

    // A transcript that is a link to itself: ELOOP, as a permission problem would be (the tests run as root).
    const projects = path.join(tmp.dir, "projects");
    await writeTranscript(projects);
    const loop = path.join(projects, "-other", `${SESSION}.jsonl`);
    await symlink(loop, loop);
    const broken = new TranscriptLookup(projects);
    await assert.rejects(
      broken.load(SESSION),
      new Error(
        `Cannot read ${loop}: too many symbolic links ` +
          "(Claude Code transcripts; set query.claude_transcripts_dir to false to skip them)",
      ),
    );
  } finally {
    await tmp.remove();
  }
});
