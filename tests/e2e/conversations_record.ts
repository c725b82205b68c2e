/**
 * Records one Claude Code turn and one Codex turn (each with a tool call) through a real `ctvs` proxy in front of
 * the fake upstream, into a sink directory the conversation tests then query.
 *
 * @module
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { runToEnd, startProxy } from "../helpers/child.ts";
import { ensureClients } from "./proxy_clients.ts";

/** Writes the config of a proxy to `fakeUrl` recording into `<dir>/data` as gateway `e2e`; returns its path. */
export async function writeConfig(dir: string, fakeUrl: string): Promise<string> {
  const config = path.join(dir, "collectivus.json");
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "e2e",
      proxy: {
        listen: "127.0.0.1:0",
        upstreams: [
          { name: "anthropic", base_url: fakeUrl, match: { path_prefix: "/v1/messages" } },
          { name: "openai", base_url: fakeUrl, match: { path_prefix: "/v1" } },
          { name: "root", base_url: fakeUrl, match: { path_prefix: "/" } },
        ],
      },
      sink: { type: "file", dir: path.join(dir, "data") },
    }),
  );
  return config;
}

/**
 * Runs `claude -p` and then `codex exec` through ctvs, then `more` (given the proxy's URL) if any; resolves with the
 * config path once ctvs has stopped.
 */
export async function recordAgents(dir: string, more?: (proxyUrl: string) => Promise<void>): Promise<string> {
  const { claude, codex } = await ensureClients();
  const fake = await startFakeUpstream();
  try {
    const config = await writeConfig(dir, fake.url);
    const { ctvs, url } = await startProxy(config, { HOME: dir });
    const claudeRun = await runToEnd(claude, ["-p", "run the marker command", "--allowedTools", "Bash(echo:*)"], {
      cwd: dir,
      env: {
        HOME: dir,
        ANTHROPIC_BASE_URL: url,
        ANTHROPIC_API_KEY: "sk-ant-e2e-k3y9",
        DISABLE_TELEMETRY: "1",
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
      },
    });
    assert.equal(claudeRun.code, 0, claudeRun.stderr);
    await writeFile(
      path.join(dir, "config.toml"),
      `model_provider = "ctvs"\nmodel = "gpt-fake"\n\n[model_providers.ctvs]\nname = "ctvs"\n` +
        `base_url = "${url}/v1"\nenv_key = "CTVS_E2E_KEY"\nwire_api = "responses"\nsupports_websockets = false\n`,
    );
    const codexRun = await runToEnd(codex, [
      "exec",
      "--skip-git-repo-check",
      "--dangerously-bypass-approvals-and-sandbox",
      "run the marker command",
    ], { cwd: dir, env: { HOME: dir, CODEX_HOME: dir, CTVS_E2E_KEY: "sk-e2e-c0d3" } });
    assert.equal(codexRun.code, 0, codexRun.stderr);
    await more?.(url);
    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    return config;
  } finally {
    await fake.close();
  }
}
