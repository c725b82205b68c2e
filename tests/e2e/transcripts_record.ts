/**
 * Records two turns of the real Claude Code CLI and two of the real Codex CLI through a `ctvs` proxy in front of the
 * fake upstream, keeping the transcripts the CLIs wrote beside what the proxy recorded of the same turns:
 *
 * - turn 1: "run the marker command": one tool call, its result, a text answer;
 * - turn 2, resuming the same session: "explain, then run the marker command twice": an answer of several content
 *   blocks (Claude Code: thinking, a text and two tool calls, written as four lines; Codex: reasoning, a message and
 *   two function calls), cache reads and writes in its usage, two tool results, a final answer.
 *
 * Run as a script it regenerates the recorded set in `tests/fixtures/transcripts/` (see its README.md):
 * `deno run -A tests/e2e/transcripts_record.ts`.
 *
 * @module
 */
import assert from "node:assert/strict";
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { ROOT, runToEnd, startProxy } from "../helpers/child.ts";
import { writeConfig } from "./conversations_record.ts";
import { ensureClients } from "./proxy_clients.ts";

/** The prompts of the two turns. */
export const PROMPTS = ["run the marker command", "explain, then run the marker command twice"] as const;
/** The models the CLIs are asked for (priced ones, so costs can be compared). */
export const MODELS = { claude: "claude-sonnet-4-5-20250929", codex: "gpt-5" } as const;

/** Where a recording put things. */
export interface Recording {
  /** The ctvs config (gateway `e2e`, sink `<dir>/data`). */
  config: string;
  /** Claude Code's projects directory (`$HOME/.claude/projects`). */
  claudeProjects: string;
  /** Codex's home (`CODEX_HOME`, with `sessions/`). */
  codexHome: string;
  /** The proxy's recording root (`<root>/e2e/proxy/<date>.jsonl`). */
  proxyRoot: string;
}

/** Runs the four turns in `dir` (used as `HOME` and `CODEX_HOME`); resolves once ctvs has stopped. */
export async function recordTranscripts(dir: string): Promise<Recording> {
  const { claude, codex } = await ensureClients();
  const fake = await startFakeUpstream();
  try {
    const config = await writeConfig(dir, fake.url);
    const { ctvs, url } = await startProxy(config, { HOME: dir });
    const env = {
      HOME: dir,
      ANTHROPIC_BASE_URL: url,
      ANTHROPIC_API_KEY: "sk-ant-e2e-k3y9",
      DISABLE_TELEMETRY: "1",
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      // Spaced SSE chunks: the lines of one answer get times of their own, as with a real API.
      ANTHROPIC_CUSTOM_HEADERS: "x-fake-delay-ms: 10",
    };
    const claudeArgs = ["--model", MODELS.claude, "--allowedTools", "Bash(echo:*)"];
    const first = await runToEnd(claude, ["-p", PROMPTS[0], ...claudeArgs, "--output-format", "json"], {
      cwd: dir,
      env,
    });
    assert.equal(first.code, 0, first.stderr);
    const session = JSON.parse(first.stdout).session_id;
    // Thinking on for the second turn: its answer is thinking, text and two tool calls.
    const second = await runToEnd(claude, ["-p", "--resume", session, PROMPTS[1], ...claudeArgs], {
      cwd: dir,
      env: { ...env, MAX_THINKING_TOKENS: "1024" },
    });
    assert.equal(second.code, 0, second.stderr);

    await writeFile(
      path.join(dir, "config.toml"),
      `model_provider = "ctvs"\nmodel = "${MODELS.codex}"\n\n[model_providers.ctvs]\nname = "ctvs"\n` +
        `base_url = "${url}/v1"\nenv_key = "CTVS_E2E_KEY"\nwire_api = "responses"\nsupports_websockets = false\n`,
    );
    const codexEnv = { HOME: dir, CODEX_HOME: dir, CTVS_E2E_KEY: "sk-e2e-c0d3" };
    const flags = ["--skip-git-repo-check", "--dangerously-bypass-approvals-and-sandbox"];
    const one = await runToEnd(codex, ["exec", ...flags, PROMPTS[0]], { cwd: dir, env: codexEnv });
    assert.equal(one.code, 0, one.stderr);
    const two = await runToEnd(codex, ["exec", ...flags, "resume", "--last", PROMPTS[1]], { cwd: dir, env: codexEnv });
    assert.equal(two.code, 0, two.stderr);

    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    return {
      config,
      claudeProjects: path.join(dir, ".claude", "projects"),
      codexHome: dir,
      proxyRoot: path.join(dir, "data"),
    };
  } finally {
    await fake.close();
  }
}

/** The recorded set kept in the repository. */
export const FIXTURES = path.join(ROOT, "tests", "fixtures", "transcripts");

/** Records into a fixed directory (its path is in the lines) and copies the files into {@linkcode FIXTURES}. */
async function regenerate(): Promise<void> {
  const dir = "/tmp/ctvs-transcripts-fixture";
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const recording = await recordTranscripts(dir);
  for (const sub of ["claude", "codex", "proxy"]) await rm(path.join(FIXTURES, sub), { recursive: true, force: true });
  await cp(recording.claudeProjects, path.join(FIXTURES, "claude", "projects"), { recursive: true });
  await cp(path.join(recording.codexHome, "sessions"), path.join(FIXTURES, "codex", "sessions"), { recursive: true });
  await cp(recording.proxyRoot, path.join(FIXTURES, "proxy"), { recursive: true });
  const listed = await readdir(FIXTURES, { recursive: true });
  console.log(listed.filter((f) => f.endsWith(".jsonl")).sort().join("\n"));
  await rm(dir, { recursive: true, force: true });
}

if (import.meta.main) await regenerate();
