import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { type FakeUpstream, startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { runToEnd, startProxy, tempDir } from "../helpers/child.ts";
import { writeConfig } from "./conversations_record.ts";
import { ensureClients } from "./proxy_clients.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

/** Runs `ctvs` with a proxy in front of `fake`, hands its URL to `drive`, stops it and returns the rows. */
async function throughCtvs(fake: FakeUpstream, drive: (proxyUrl: string, dir: string) => Promise<void>) {
  const tmp = await tempDir();
  try {
    const config = await writeConfig(tmp.dir, fake.url);
    const { ctvs, url } = await startProxy(config, { HOME: tmp.dir });
    await drive(url, tmp.dir);
    ctvs.kill("SIGTERM");
    assert.equal((await ctvs.exited).code, 0, ctvs.transcript());
    const file = path.join(tmp.dir, "data", "e2e", "proxy", `${new Date().toISOString().slice(0, 10)}.jsonl`);
    const rows: Row[] = (await readFile(file, "utf8")).split("\n").filter(Boolean).map((l) => JSON.parse(l));
    return rows.filter((r) => r.kind === "exchange").map((exchange) => ({
      exchange,
      events: rows.filter((r) => r.kind === "stream_event" && r.exchange_id === exchange.exchange_id),
    }));
  } finally {
    await tmp.remove();
  }
}

function assertRecordedStreams(recorded: { exchange: Row; events: Row[] }[], fake: FakeUpstream, path: string) {
  const streamed = recorded.filter((r) => r.exchange.request.path.startsWith(path));
  assert.equal(streamed.length, fake.requests.filter((q) => q.url.startsWith(path)).length);
  for (const { exchange, events } of streamed) {
    assert.equal(exchange.response.status, 200);
    assert.equal(exchange.error, undefined);
    assert.ok(events.length > 0 && events.length === exchange.stream_event_count);
  }
  return streamed;
}

test("Claude Code (claude -p) completes a turn with a Bash tool call through ctvs, every exchange recorded", async () => {
  const { claude } = await ensureClients();
  const fake = await startFakeUpstream();
  try {
    let output = "";
    const recorded = await throughCtvs(fake, async (url, home) => {
      const result = await runToEnd(claude, ["-p", "run the marker command", "--allowedTools", "Bash(echo:*)"], {
        cwd: home,
        env: {
          HOME: home,
          ANTHROPIC_BASE_URL: url,
          ANTHROPIC_API_KEY: "sk-ant-e2e-secret-k3y9",
          DISABLE_TELEMETRY: "1",
          CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        },
      });
      assert.equal(result.code, 0, result.stderr);
      output = result.stdout;
    });
    assert.equal(output.trim(), "The command printed ctvs-e2e. Done — ✓.");
    const turns = assertRecordedStreams(recorded, fake, "/v1/messages");
    assert.equal(turns.length, 2);
    // The tool really ran: its output went back in the second request, as recorded.
    const second = JSON.parse(turns[1].exchange.request.body);
    assert.match(JSON.stringify(second.messages.at(-1)), /tool_result.*ctvs-e2e/);
    assert.ok(turns[0].events.some((e) => e.data.includes('"input_json_delta"')));
    assert.equal(recorded.length, fake.requests.length);
    for (const { exchange } of turns) assert.equal(exchange.request.headers["x-api-key"], "REDACTED:k3y9");
    assert.ok(!JSON.stringify(recorded).includes("e2e-secret"));
  } finally {
    await fake.close();
  }
});

test("Codex (codex exec) completes a turn with a shell call through ctvs; a WebSocket try falls back at once", async () => {
  const { codex } = await ensureClients();
  const fake = await startFakeUpstream();
  try {
    let output = "";
    const recorded = await throughCtvs(fake, async (url, home) => {
      // supports_websockets = true makes Codex try GET /v1/responses with an Upgrade first: the proxy's 426 must
      // send it to HTTP + SSE without retries.
      await writeFile(
        path.join(home, "config.toml"),
        `model_provider = "ctvs"\nmodel = "gpt-fake"\n\n[model_providers.ctvs]\nname = "ctvs"\n` +
          `base_url = "${url}/v1"\nenv_key = "CTVS_E2E_KEY"\nwire_api = "responses"\nsupports_websockets = true\n`,
      );
      const started = Date.now();
      const result = await runToEnd(codex, [
        "exec",
        "--skip-git-repo-check",
        "--dangerously-bypass-approvals-and-sandbox",
        "run the marker command",
      ], { cwd: home, env: { HOME: home, CODEX_HOME: home, CTVS_E2E_KEY: "sk-e2e-secret-c0d3" } });
      assert.equal(result.code, 0, result.stderr);
      assert.ok(Date.now() - started < 20_000);
      output = result.stdout;
    });
    assert.equal(output.trim(), "The command printed ctvs-e2e. Done — ✓.");
    const turns = assertRecordedStreams(recorded, fake, "/v1/responses");
    assert.equal(turns.length, 2);
    const second = JSON.parse(turns[1].exchange.request.body);
    assert.ok(
      second.input.some((item: Row) => item.type === "function_call_output" && /ctvs-e2e/.test(JSON.stringify(item))),
    );
    assert.ok(turns[0].events.some((e) => e.event === "response.function_call_arguments.delta"));
    assert.equal(turns[1].events.at(-1)?.event, "response.completed");
    for (const { exchange } of turns) assert.equal(exchange.request.headers.authorization, "REDACTED:c0d3");
    assert.ok(!JSON.stringify(recorded).includes("e2e-secret"));
  } finally {
    await fake.close();
  }
});
