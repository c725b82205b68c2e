import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { test } from "node:test";
import { usageArgs } from "../../cli/query/usage.ts";
import { ctvs, tempDir } from "../helpers/child.ts";
import {
  anthropicEvents,
  eventRows,
  exchangeRow,
  type Row,
  writeConfig,
  writeProxyDay,
} from "../query/proxy_messages/_fixtures.ts";

const SESSION = "5e55e55e-0000-4000-8000-0000000000b0";
const metadata = { user_id: JSON.stringify({ session_id: SESSION }) };
const ask = { role: "user", content: "hi" };
const answer = (usage: Row) => ({
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [{ type: "text", text: "yo" }],
  stop_reason: "end_turn",
  usage,
});

/** Day 1: a streamed request; day 2: the same request retried (two requests, one set of messages), a Codex one, an unpriced one, a count_tokens. */
async function layout(dir: string): Promise<string> {
  const config = await writeConfig(dir);
  const root = path.join(dir, "data");
  const events = anthropicEvents({
    id: "m1",
    model: "claude-sonnet-4-5-20250929",
    blocks: [{ type: "text", text: "yo" }],
    stop: "end_turn",
    usage: { input_tokens: 10, cache_creation_input_tokens: 100, cache_read_input_tokens: 1000, output_tokens: 1 },
    deltas: [{ output_tokens: 20 }, { output_tokens: 35 }],
  });
  const body = { model: "claude-sonnet-4-5-20250929", metadata, messages: [ask] };
  await writeProxyDay(root, "gw", "2025-10-01", [
    ...eventRows("e1", events),
    exchangeRow("e1", "2025-10-01T23:59:59.000Z", { body: { ...body, stream: true } }),
  ]);
  const usage = {
    input_tokens: 10,
    cache_creation_input_tokens: 100,
    cache_read_input_tokens: 1000,
    output_tokens: 35,
  };
  await writeProxyDay(root, "gw", "2025-10-02", [
    exchangeRow("e2", "2025-10-02T00:00:05.000Z", { body, response: answer(usage) }),
    exchangeRow("e3", "2025-10-02T00:01:00.000Z", {
      path: "/v1/responses",
      body: { model: "gpt-5", input: "go" },
      headers: { "session-id": "codex-1" },
      response: {
        model: "gpt-5",
        status: "completed",
        output: [],
        usage: { input_tokens: 300, input_tokens_details: { cached_tokens: 200 }, output_tokens: 40 },
      },
    }),
    exchangeRow("e4", "2025-10-02T00:02:00.000Z", {
      body: { model: "claude-fake", messages: [{ role: "user", content: "z" }] },
      response: { ...answer({ input_tokens: 7, output_tokens: 3 }), model: "claude-fake" },
    }),
    exchangeRow("e5", "2025-10-02T00:03:00.000Z", {
      path: "/v1/messages/count_tokens",
      body: { model: "claude-sonnet-4-5", messages: [ask] },
      response: { input_tokens: 9 },
    }),
  ]);
  return config;
}

async function csv(args: string[]): Promise<string> {
  const r = await ctvs(["query", "usage", ...args, "--format", "csv"]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
}

const HEAD =
  "requests,input_tokens,output_tokens,cache_write_tokens,cache_read_tokens,total_tokens,cost_usd,unpriced_requests";

test("ctvs query usage daily/monthly/model: retries count twice, midnight once, unpriced is not $0", async () => {
  const tmp = await tempDir();
  try {
    const config = await layout(tmp.dir);
    // Sonnet: 10 x $3 + 100 x $3.75 + 1000 x $0.30 + 35 x $15 per MTok = $0.00123 a request; gpt-5: $0.00055.
    assert.equal(
      await csv(["daily", "--config", config]),
      `date,models,${HEAD}\n` +
        "2025-10-01,claude-sonnet-4-5-20250929,1,10,35,100,1000,1145,0.00123,0\n" +
        '2025-10-02,"claude-fake, claude-sonnet-4-5-20250929, gpt-5",3,117,78,100,1200,1495,0.00178,1\n' +
        'Total,"claude-fake, claude-sonnet-4-5-20250929, gpt-5",4,127,113,200,2200,2640,0.00301,1',
    );
    assert.equal(
      await csv(["model", "--config", config]),
      `model,${HEAD}\n` +
        "claude-fake,1,7,3,0,0,10,,1\n" +
        "claude-sonnet-4-5-20250929,2,20,70,200,2000,2290,0.00246,0\n" +
        "gpt-5,1,100,40,0,200,340,0.00055,0\n" +
        "Total,4,127,113,200,2200,2640,0.00301,1",
    );
    assert.equal(
      await csv(["monthly", "--breakdown", "--since", "20251002", "--config", config]),
      `month,model,${HEAD}\n` +
        "2025-10,claude-fake,1,7,3,0,0,10,,1\n" +
        "2025-10,claude-sonnet-4-5-20250929,1,10,35,100,1000,1145,0.00123,0\n" +
        "2025-10,gpt-5,1,100,40,0,200,340,0.00055,0\n" +
        "Total,,3,117,78,100,1200,1495,0.00178,1",
    );
    const sessions = await ctvs(["query", "usage", "session", "--config", config, "--format", "jsonl"]);
    assert.deepEqual(
      sessions.stdout.split("\n").map((l) => JSON.parse(l)).map((
        r: Row,
      ) => [r.session, r.requests, r.cost_usd, r.last_activity]),
      [
        [SESSION, 2, 0.00246, "2025-10-02T00:00:05Z"],
        ["codex-1", 1, 0.00055, "2025-10-02T00:01:00Z"],
        [
          createHash("sha256").update('"z"').digest("hex").slice(0, 16),
          1,
          null,
          "2025-10-02T00:02:00Z",
        ],
        ["Total", 4, 0.00301, "2025-10-02T00:02:00Z"],
      ],
    );
    // The retried request is one set of messages.
    const parts = await ctvs([
      "query",
      "sql",
      `select count(*) as n from proxy_messages where conversation_id = '${SESSION}'`,
      "--config",
      config,
      "--format",
      "csv",
    ]);
    assert.equal(parts.stdout, "n\n2");
  } finally {
    await tmp.remove();
  }
});

test("ctvs query usage: ccusage-style --since/--until dates; bad report and --until are usage errors", async () => {
  assert.deepEqual(usageArgs(["daily", "--since", "20250301", "--until=2025-03-31", "--breakdown"]), {
    argv: ["daily", "--from", "2025-03-01T00:00:00Z", "--to", "2025-03-31T23:59:59.999Z"],
    breakdown: true,
    source: "all",
  });
  assert.equal(usageArgs(["--source", "transcripts"]).source, "transcripts");
  assert.equal(usageArgs(["--source=proxy"]).source, "proxy");
  const source = await ctvs(["query", "usage", "--source", "wire", "--default-config"]);
  assert.equal(source.code, 2);
  assert.match(source.stderr, /^error: --source must be proxy, transcripts, or all\n/);
  assert.deepEqual(usageArgs(["--since", "7d"]).argv, ["--since", "7d"]);
  const bad = await ctvs(["query", "usage", "yearly", "--default-config"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /unknown report: yearly/);
  const help = await ctvs(["query", "usage", "--help"]);
  assert.match(help.stdout, /^Usage: ctvs query usage \[daily\|weekly\|monthly\|session\|model\]/);
});

test("ctvs query usage|proxy [stats|tail] --service: a usage error (exit 2), proxy traffic has no serviceName", async () => {
  const tmp = await tempDir();
  try {
    const config = await layout(tmp.dir);
    for (
      const command of [["usage", "daily"], ["proxy"], ["proxy", "get", "x"], ["proxy", "stats"], ["proxy", "tail"]]
    ) {
      const r = await ctvs(["query", ...command, "--service", "api", "--config", config]);
      assert.equal(r.code, 2, command.join(" "));
      assert.equal(r.stdout, "");
      assert.equal(
        r.stderr.split("\n")[0],
        `error: --service does not apply to ctvs query ${command.slice(0, 2).join(" ").replace(" daily", "")}: ` +
          "proxy traffic has no serviceName (filter with --gateway-id, --date or --from/--to, or ctvs query sql on " +
          "conversation_source)",
      );
    }
  } finally {
    await tmp.remove();
  }
});
