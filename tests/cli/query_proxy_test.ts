import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { test } from "node:test";
import { ctvs, tempDir } from "../helpers/child.ts";
import {
  anthropicEvents,
  eventRows,
  exchangeRow,
  type Row,
  writeConfig,
  writeProxyDay,
} from "../query/proxy_messages/_fixtures.ts";

const SESSION = "5e55e55e-0000-4000-8000-00000000000a";
const metadata = { user_id: JSON.stringify({ session_id: SESSION }) };
const toolUse = { type: "tool_use", id: "toolu_9", name: "Read", input: { path: "a.txt" } };

/** A conversation that spans midnight: the tool call on day 1, its result (and the history again) on day 2. */
async function layout(dir: string): Promise<string> {
  const config = await writeConfig(dir);
  const root = path.join(dir, "data");
  const events = anthropicEvents({
    id: "m1",
    model: "claude-sonnet-4-5",
    blocks: [toolUse],
    stop: "tool_use",
    usage: { input_tokens: 5, output_tokens: 1 },
  });
  const ask = { role: "user", content: "read a.txt" };
  await writeProxyDay(root, "gw", "2025-03-01", [
    ...eventRows("e1", events),
    exchangeRow("e1", "2025-03-01T23:59:58.000Z", {
      body: { model: "claude-sonnet-4-5", metadata, messages: [ask], stream: true },
      events: events.length,
      cwd: "/repo",
      git_branch: "main",
    }),
  ]);
  const history = [ask, { role: "assistant", content: [toolUse] }, {
    role: "user",
    content: [{ type: "tool_result", tool_use_id: "toolu_9", content: "hello", is_error: true }],
  }];
  await writeProxyDay(root, "gw", "2025-03-02", [
    exchangeRow("e2", "2025-03-02T00:00:03.000Z", {
      body: { model: "claude-sonnet-4-5", metadata, messages: history },
      response: { role: "assistant", content: [{ type: "text", text: "It says hello." }], stop_reason: "end_turn" },
      cwd: "/repo",
      git_branch: "main",
    }),
    exchangeRow("e3", "2025-03-02T00:00:09.000Z", {
      path: "/v1/messages/count_tokens",
      body: { model: "claude-sonnet-4-5", messages: [{ role: "user", content: "count me" }] },
      response: { input_tokens: 3 },
    }),
  ]);
  return config;
}

async function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return await ctvs(["query", ...args]);
}

test("ctvs query proxy get: a conversation spanning midnight is not repeated; tool names come from the day before", async () => {
  const tmp = await tempDir();
  try {
    const config = await layout(tmp.dir);
    const out = await run(["proxy", "get", SESSION, "--config", config, "--format", "jsonl"]);
    assert.equal(out.code, 0, out.stderr);
    const rows: Row[] = out.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
    assert.deepEqual(
      rows.map((
        r,
      ) => [r.date, r.message_index, r.role, r.part_type, r.content_text, r.tool_name, r.tool_call_id, r.cwd]),
      [
        ["2025-03-01", 0, "user", "text", "read a.txt", null, null, "/repo"],
        ["2025-03-01", 1, "assistant", "tool_call", null, "Read", "toolu_9", "/repo"],
        ["2025-03-02", 2, "user", "tool_result", "hello", "Read", "toolu_9", "/repo"],
        ["2025-03-02", 3, "assistant", "text", "It says hello.", null, null, "/repo"],
      ],
    );
    const stats = await run(["proxy", "stats", "--config", config, "--format", "csv"]);
    assert.equal(stats.stdout, "provider,model,parts,conversations,messages\nanthropic,claude-sonnet-4-5,5,2,5");
    const newest = await run(["proxy", "--config", config, "--limit", "2", "--format", "jsonl"]);
    assert.equal(newest.code, 0, newest.stderr);
    const sha16 = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);
    assert.deepEqual(newest.stdout.split("\n").map((l) => JSON.parse(l)), [
      {
        gateway_id: "gw",
        date: "2025-03-02",
        cwd: null,
        git_branch: null,
        message_created_at: "2025-03-02T00:00:09.000Z",
        conversation_id: sha16('"count me"'),
        role: "user",
        part_type: "text",
        model: "claude-sonnet-4-5",
        content_text: "count me",
      },
      {
        gateway_id: "gw",
        date: "2025-03-02",
        cwd: "/repo",
        git_branch: "main",
        message_created_at: "2025-03-02T00:00:03.000Z",
        conversation_id: SESSION,
        role: "assistant",
        part_type: "text",
        model: "claude-sonnet-4-5",
        content_text: "It says hello.",
      },
    ]);
  } finally {
    await tmp.remove();
  }
});

test("ctvs query proxy tail reads the live exchanges; proxy events is gone (exit 2); --help", async () => {
  const tmp = await tempDir();
  try {
    const config = await layout(tmp.dir);
    const tail = await run(["proxy", "tail", "--config", config, "--format", "csv", "--limit", "2"]);
    assert.equal(tail.code, 0, tail.stderr);
    assert.equal(
      tail.stdout,
      "gateway_id,date,ts_start,duration_ms,upstream,response_status,request_path,exchange_id,error\n" +
        "gw,2025-03-02,2025-03-02T00:00:03.000Z,1500,anthropic,200,/v1/messages?beta=true,e2,\n" +
        "gw,2025-03-02,2025-03-02T00:00:09.000Z,1500,anthropic,200,/v1/messages/count_tokens,e3,",
    );
    const events = await run(["proxy", "events", "--config", config]);
    assert.deepEqual([events.code, events.stderr.trim()], [
      2,
      "error: proxy events was removed; query proxy_messages directly for streamed assistant content",
    ]);
    const help = await run(["proxy", "--help"]);
    assert.match(help.stdout, /^Usage: ctvs query proxy \[get <conversation-id>\|stats\|tail\]/);
  } finally {
    await tmp.remove();
  }
});
