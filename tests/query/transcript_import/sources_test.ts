import assert from "node:assert/strict";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { listTranscripts, transcriptRoots } from "../../../query/transcript_import/sources.ts";
import { useClaudeTranscripts } from "../../../query/transcripts.ts";
import { tempDir } from "../../helpers/child.ts";

async function touch(file: string, text = "{}\n"): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}

test("transcriptRoots() reads the clients' places: CLAUDE_CONFIG_DIR (a list too), CODEX_HOME, or --path", async () => {
  const tmp = await tempDir("ctvs-sources-");
  try {
    const env = { CLAUDE_CONFIG_DIR: `${tmp.dir}/a,${tmp.dir}/b`, CODEX_HOME: `${tmp.dir}/codex` };
    assert.deepEqual((await transcriptRoots("claude_code", { env })).map((r) => r.dir), [
      `${tmp.dir}/a/projects`,
      `${tmp.dir}/b/projects`,
    ]);
    assert.deepEqual((await transcriptRoots("codex", { env })).map((r) => r.dir), [
      `${tmp.dir}/codex/sessions`,
      `${tmp.dir}/codex/archived_sessions`,
    ]);
    // --path: a config dir (its projects/), a projects dir itself; a Codex home (its sessions/) or a sessions dir.
    await mkdir(`${tmp.dir}/cfg/projects`, { recursive: true });
    await mkdir(`${tmp.dir}/home/sessions`, { recursive: true });
    const at = async (source: "claude_code" | "codex", p: string) =>
      (await transcriptRoots(source, { path: p, env })).map((r) => r.dir);
    assert.deepEqual(await at("claude_code", `${tmp.dir}/cfg`), [`${tmp.dir}/cfg/projects`]);
    assert.deepEqual(await at("claude_code", `${tmp.dir}/cfg/projects`), [`${tmp.dir}/cfg/projects`]);
    assert.deepEqual(await at("codex", `${tmp.dir}/home`), [`${tmp.dir}/home/sessions`]);
    assert.deepEqual(await at("codex", `${tmp.dir}/home/sessions`), [`${tmp.dir}/home/sessions`]);
    // query.claude_transcripts_dir wins over the environment; false reads none.
    useClaudeTranscripts(`${tmp.dir}/configured`);
    assert.deepEqual((await transcriptRoots("claude_code", { env })).map((r) => r.dir), [`${tmp.dir}/configured`]);
    useClaudeTranscripts(false);
    assert.deepEqual(await transcriptRoots("claude_code", { env }), []);
  } finally {
    useClaudeTranscripts(undefined);
    await tmp.remove();
  }
});

test("listTranscripts() finds sessions and subagents, Codex rollouts once though archived, compressed ones apart", async () => {
  const tmp = await tempDir("ctvs-sources-");
  try {
    await touch(`${tmp.dir}/a/projects/-repo/s1.jsonl`);
    await touch(`${tmp.dir}/a/projects/-repo/s1/subagents/agent-x.jsonl`);
    await touch(`${tmp.dir}/b/projects/-repo/s1.jsonl`, "{}\n{}\n");
    await touch(`${tmp.dir}/a/projects/-repo/notes.txt`);
    const claude = await listTranscripts(
      await transcriptRoots("claude_code", {
        env: { CLAUDE_CONFIG_DIR: `${tmp.dir}/a,${tmp.dir}/b` },
      }),
    );
    // The same session under two roots is one file: the larger copy.
    assert.deepEqual(claude.files.map((f) => [f.key, f.path, f.size]), [
      ["claude:-repo/s1.jsonl", `${tmp.dir}/b/projects/-repo/s1.jsonl`, 6],
      ["claude:-repo/s1/subagents/agent-x.jsonl", `${tmp.dir}/a/projects/-repo/s1/subagents/agent-x.jsonl`, 3],
    ]);
    const name = "rollout-2025-03-01T10-00-00-0000.jsonl";
    await touch(`${tmp.dir}/codex/sessions/2025/03/01/${name}`);
    await touch(`${tmp.dir}/codex/archived_sessions/${name}`);
    await touch(`${tmp.dir}/codex/sessions/2025/03/01/rollout-2025-03-01T11-00-00-1111.jsonl.zst`);
    await touch(`${tmp.dir}/codex/history.jsonl`);
    const codex = await listTranscripts(await transcriptRoots("codex", { env: { CODEX_HOME: `${tmp.dir}/codex` } }));
    assert.deepEqual(codex.files.map((f) => f.key), [`codex:${name}`]);
    assert.deepEqual(codex.compressed, [
      `${tmp.dir}/codex/sessions/2025/03/01/rollout-2025-03-01T11-00-00-1111.jsonl.zst`,
    ]);
  } finally {
    await tmp.remove();
  }
});
