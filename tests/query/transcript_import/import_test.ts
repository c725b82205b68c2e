import assert from "node:assert/strict";
import { appendFile, mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { type ImportIssue, type ImportOptions, importTranscripts } from "../../../query/transcript_import/import.ts";
import { importStatePath } from "../../../query/transcript_import/state.ts";
import { rowsOf, scratch, written } from "./_setup.ts";

const GW = "gw";

function options(root: string, s: { claude: string; codex: string }, more: Partial<ImportOptions> = {}) {
  return {
    root,
    gatewayId: GW,
    sources: ["claude_code", "codex"] as const,
    env: { CLAUDE_CONFIG_DIR: path.dirname(s.claude), CODEX_HOME: s.codex, HOME: "/nonexistent" },
    ...more,
  } satisfies ImportOptions;
}

test("importTranscripts() writes the recorded transcripts' rows once: a second run adds nothing", async () => {
  const s = await scratch();
  try {
    const first = await importTranscripts(options(s.root, s));
    assert.deepEqual(
      [first.sources.claude_code, first.sources.codex].map((
        x,
      ) => [x!.files, x!.read, x!.parts, x!.usage, x!.malformed]),
      [[1, 1, 15, 4, 0], [1, 1, 16, 4, 0]],
    );
    const parts = await written(s.root, GW, "transcripts");
    const usage = await written(s.root, GW, "transcript_usage");
    assert.equal(Object.values(parts).flat().length, 31);
    assert.equal(Object.values(usage).flat().length, 8);
    const again = await importTranscripts(options(s.root, s));
    assert.deepEqual([again.sources.claude_code!.read, again.sources.codex!.read], [0, 0]);
    assert.deepEqual(await written(s.root, GW, "transcripts"), parts);
    assert.deepEqual(await written(s.root, GW, "transcript_usage"), usage);
    const state = JSON.parse(await readFile(importStatePath(s.root, GW), "utf8"));
    const claudeCursor = Object.values(state.files).find((f) => (f as { source: string }).source === "claude_code");
    assert.equal((claudeCursor as { offset: number }).offset, (await stat(s.claudeFile)).size);
  } finally {
    await s.remove();
  }
});

test("importTranscripts() leaves a cut last line for the next run, which imports it once it is whole", async () => {
  const s = await scratch();
  try {
    const whole = await readFile(s.claudeFile, "utf8");
    // Cut inside the last answer line (the one before `last-prompt` and `mode`).
    const lines = whole.split("\n");
    const answer = lines.findLastIndex((l) => l.includes('"type":"assistant"'));
    const head = lines.slice(0, answer).join("\n") + "\n" + lines[answer].slice(0, 300);
    await writeFile(s.claudeFile, head);
    const issues: ImportIssue[] = [];
    const first = await importTranscripts(
      options(s.root, s, { sources: ["claude_code"], onIssue: (i) => issues.push(i) }),
    );
    assert.equal(first.sources.claude_code!.malformed, 0);
    assert.deepEqual(issues, []);
    const partial = await rowsOf(s.root, GW, "transcripts");
    assert.equal(partial.length, 14, "every part but the last answer's last line");
    await writeFile(s.claudeFile, whole);
    const second = await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    assert.equal(second.sources.claude_code!.lines, lines.length - 1 - answer);
    // The same rows as one import of the whole file.
    const once = path.join(s.dir, "once");
    await importTranscripts(options(once, s, { sources: ["claude_code"] }));
    assert.deepEqual(await written(s.root, GW, "transcripts"), await written(once, GW, "transcripts"));
    assert.deepEqual(await written(s.root, GW, "transcript_usage"), await written(once, GW, "transcript_usage"));
  } finally {
    await s.remove();
  }
});

test("importTranscripts() counts and skips a malformed line, reporting it once with its line number", async () => {
  const s = await scratch();
  try {
    const lines = (await readFile(s.codexFile, "utf8")).split("\n");
    lines.splice(5, 0, '{"timestamp": "2026-12-06T06:23:10.100Z", "type": "response_item", "payload": {');
    lines.splice(7, 0, "[1, 2]");
    await writeFile(s.codexFile, lines.join("\n"));
    const issues: ImportIssue[] = [];
    const first = await importTranscripts(options(s.root, s, { sources: ["codex"], onIssue: (i) => issues.push(i) }));
    assert.equal(first.sources.codex!.malformed, 2);
    assert.deepEqual(issues.map((i) => [i.kind, i.path, i.line]), [["malformed", s.codexFile, 6], [
      "malformed",
      s.codexFile,
      8,
    ]]);
    assert.match(issues[1].reason, /not a JSON object/);
    // Every other line's rows are there.
    assert.equal((await rowsOf(s.root, GW, "transcripts")).length, 16);
    assert.equal((await rowsOf(s.root, GW, "transcript_usage")).length, 4);
    const again: ImportIssue[] = [];
    await importTranscripts(options(s.root, s, { sources: ["codex"], onIssue: (i) => again.push(i) }));
    assert.deepEqual(again, []);
  } finally {
    await s.remove();
  }
});

test("importTranscripts() goes on in the middle of an answer a later run finds grown, as if read at once", async () => {
  const s = await scratch();
  try {
    const whole = await readFile(s.claudeFile, "utf8");
    const lines = whole.split("\n");
    // Stop after the second of the four lines of the several-block answer.
    const at = lines.findIndex((l) => l.includes("I will run the marker command twice."));
    await writeFile(s.claudeFile, lines.slice(0, at + 1).join("\n") + "\n");
    await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    await writeFile(s.claudeFile, whole);
    await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    const once = path.join(s.dir, "once");
    await importTranscripts(options(once, s, { sources: ["claude_code"] }));
    assert.deepEqual(await written(s.root, GW, "transcripts"), await written(once, GW, "transcripts"));
    assert.deepEqual(await written(s.root, GW, "transcript_usage"), await written(once, GW, "transcript_usage"));
    const parts = await rowsOf(s.root, GW, "transcripts");
    const answer = parts.filter((p) => p.message_index === 5);
    assert.deepEqual(answer.map((p) => p.part_index), [0, 1, 2, 3]);
  } finally {
    await s.remove();
  }
});

/** The Claude transcript with its first turn moved a day earlier. */
async function twoDays(file: string): Promise<void> {
  const lines = (await readFile(file, "utf8")).split("\n").filter(Boolean);
  const second = lines.findIndex((l) => l.includes("explain, then run the marker command twice"));
  const moved = lines.map((l, i) => i < second ? l.replaceAll("2026-12-06T", "2026-12-05T") : l);
  await writeFile(file, moved.join("\n") + "\n");
}

test("importTranscripts() with since skips earlier days, and a later run without it adds them", async () => {
  const s = await scratch();
  try {
    await twoDays(s.claudeFile);
    const first = await importTranscripts(options(s.root, s, { sources: ["claude_code"], since: "2026-12-06" }));
    assert.equal(first.sources.claude_code!.parts, 9);
    assert.deepEqual(Object.keys(await written(s.root, GW, "transcripts")), ["2026-12-06.jsonl"]);
    const second = await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    assert.equal(second.sources.claude_code!.parts, 6);
    const third = await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    assert.equal(third.sources.claude_code!.parts, 0);
    const once = path.join(s.dir, "once");
    await importTranscripts(options(once, s, { sources: ["claude_code"] }));
    assert.deepEqual(await written(s.root, GW, "transcripts"), await written(once, GW, "transcripts"));
    assert.deepEqual(await written(s.root, GW, "transcript_usage"), await written(once, GW, "transcript_usage"));
  } finally {
    await s.remove();
  }
});

test("importTranscripts() cut short after a save is cut back by the next run, which adds each row once", async () => {
  const s = await scratch();
  try {
    // Many sessions, so that the import saves its state several times before it is stopped.
    const text = await readFile(s.claudeFile, "utf8");
    for (let i = 0; i < 40; i++) {
      const copy = path.join(path.dirname(s.claudeFile), `copy-${String(i).padStart(2, "0")}.jsonl`);
      await writeFile(copy, text.replaceAll("msg_", `msg_${i}_`).replaceAll('"uuid":"', `"uuid":"${i}-`));
    }
    let stopped = false;
    await assert.rejects(
      importTranscripts(options(s.root, s, {
        sources: ["claude_code"],
        checkpointBytes: 100_000,
        onProgress: (p) => {
          if (p.bytes > 500_000) {
            stopped = true;
            throw new Error("killed");
          }
        },
      })),
      /killed/,
    );
    assert.ok(stopped);
    const state = JSON.parse(await readFile(importStatePath(s.root, GW), "utf8"));
    const saved = Object.values(state.files as Record<string, { offset: number }>).filter((f) => f.offset > 0).length;
    assert.ok(saved > 0 && saved < 41, `saved ${saved} files`);
    // What a killed run leaves past its last save: rows appended to a day file (the last one torn), a new day file.
    const day = path.join(s.root, GW, "transcripts", "2026-12-06.jsonl");
    await appendFile(day, '{"part_id":"written after the save"}\n{"part_id":"torn');
    await writeFile(path.join(s.root, GW, "transcript_usage", "2026-12-07.jsonl"), '{"usage_key":"x"}\n');
    const resumed = await importTranscripts(options(s.root, s, { sources: ["claude_code"] }));
    assert.equal(resumed.rolledBack, 2, "the rows written after the last save were cut back");
    const once = path.join(s.dir, "once");
    await importTranscripts(options(once, s, { sources: ["claude_code"] }));
    const sorted = async (root: string, signal: string) => Object.values(await written(root, GW, signal)).flat().sort();
    assert.deepEqual(await sorted(s.root, "transcripts"), await sorted(once, "transcripts"));
    assert.deepEqual(await sorted(s.root, "transcript_usage"), await sorted(once, "transcript_usage"));
  } finally {
    await s.remove();
  }
});

test("importTranscripts() refuses to import again when rows exist but the state is gone", async () => {
  const s = await scratch();
  try {
    await importTranscripts(options(s.root, s));
    await rm(importStatePath(s.root, GW));
    await assert.rejects(
      importTranscripts(options(s.root, s)),
      /holds imported rows but .*import-state.json is missing/,
    );
  } finally {
    await s.remove();
  }
});

test("importTranscripts() leaves alone a file rewritten since it was imported, and does not import a moved rollout again", async () => {
  const s = await scratch();
  try {
    await importTranscripts(options(s.root, s));
    const before = await written(s.root, GW, "transcripts");
    // Codex archives a rollout by moving it.
    const archived = path.join(s.codex, "archived_sessions", path.basename(s.codexFile));
    await mkdir(path.dirname(archived), { recursive: true });
    await rename(s.codexFile, archived);
    const text = await readFile(s.claudeFile, "utf8");
    await writeFile(s.claudeFile, text.replace('"parentUuid":null', '"parentUuid":"rewritten"'));
    await appendFile(s.claudeFile, text.split("\n")[0] + "\n");
    const issues: ImportIssue[] = [];
    const again = await importTranscripts(options(s.root, s, { onIssue: (i) => issues.push(i) }));
    assert.deepEqual([again.sources.claude_code!.changed, again.sources.codex!.read], [1, 0]);
    assert.deepEqual(issues.map((i) => [i.kind, i.path]), [["changed", s.claudeFile]]);
    assert.deepEqual(await written(s.root, GW, "transcripts"), before);
  } finally {
    await s.remove();
  }
});
