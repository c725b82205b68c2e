/**
 * `deno task bench conversations`: derives `proxy_messages` and `llm_requests` from a generated proxy day file shaped
 * like real agent traffic (long conversations, each request repeating the system prompt, the tools and the whole
 * history; streamed answers with thinking, text and tool calls; Claude Code and Codex), through the same refresh a
 * query runs (walk, JSONL, DuckDB to zstd Parquet). Reports MB/s of proxy JSONL and peak RSS. The data is generated
 * in a child process and each dataset is derived in a fresh one, so a peak RSS is that of a process doing one
 * derivation, as `ctvs query refresh` does (the generator's heap used to be counted with it).
 * `CTVS_BENCH_CONVERSATIONS_MB` sets the file size (default 1000).
 *
 * @module
 */
import { Buffer } from "node:buffer";
import { mkdir, mkdtemp, open, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { partitionDir } from "../../query/cache_layout.ts";
import type { Dataset } from "../../query/dataset.ts";
import { openDb } from "../../query/duckdb.ts";
import { LLM_REQUESTS } from "../../query/llm_requests/dataset.ts";
import { PROXY_MESSAGES } from "../../query/proxy_messages/dataset.ts";
import { refreshPartition } from "../../query/refresh_partition.ts";
import { DENO_RUN_FLAGS } from "../../platform/v8_flags.ts";
import { measure } from "./_measure.ts";
import type { BenchResult } from "./_table.ts";

const DATE = "2025-03-01";
const filler = (n: number, seed: number) => {
  const words = ["the", "file", "function", "returns", "error", "value", "test", "build", "query", "cache"];
  let out = "";
  for (let i = 0; out.length < n; i++) out += words[(i * 7 + seed) % words.length] + (i % 13 === 12 ? ".\n" : " ");
  return out;
};

const SYSTEM = [{ type: "text", text: filler(12_000, 1) }];
const TOOLS = Array.from({ length: 18 }, (_, i) => ({
  name: `Tool${i}`,
  description: filler(900, i),
  input_schema: { type: "object", properties: { path: { type: "string" }, command: { type: "string" } } },
}));
const INSTRUCTIONS = filler(14_000, 3);

function sse(id: string, t: number, data: unknown): string {
  return JSON.stringify({
    exchange_id: id,
    kind: "stream_event",
    t_ms: t,
    event: (data as { type: string }).type,
    data: JSON.stringify(data),
  });
}

/** The rows of one Claude Code turn: its stream events, then its exchange row. */
export function claudeTurn(conv: number, turn: number, history: unknown[], ts: number): string[] {
  const id = `c${conv}t${turn}`.padEnd(32, "0");
  const toolId = `toolu_${conv}_${turn}`;
  const body = {
    model: "claude-sonnet-4-5-20250929",
    max_tokens: 32000,
    system: SYSTEM,
    tools: TOOLS,
    metadata: { user_id: JSON.stringify({ session_id: `session-${conv}`, account_uuid: "acct" }) },
    messages: history,
    stream: true,
  };
  const thinking = filler(400, turn);
  const text = filler(300, turn + conv);
  const events = [
    {
      type: "message_start",
      message: {
        id: `msg_${id}`,
        role: "assistant",
        model: body.model,
        content: [],
        usage: {
          input_tokens: 12,
          cache_read_input_tokens: 20_000 + turn * 900,
          cache_creation_input_tokens: 900,
          output_tokens: 1,
        },
      },
    },
    { type: "content_block_start", index: 0, content_block: { type: "thinking", thinking: "", signature: "" } },
    ...Array.from(
      { length: 8 },
      (_, i) => ({
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: thinking.slice(i * 50, i * 50 + 50) },
      }),
    ),
    { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "sig".repeat(40) } },
    { type: "content_block_stop", index: 0 },
    { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
    ...Array.from(
      { length: 10 },
      (_, i) => ({
        type: "content_block_delta",
        index: 1,
        delta: { type: "text_delta", text: text.slice(i * 30, i * 30 + 30) },
      }),
    ),
    { type: "content_block_stop", index: 1 },
    {
      type: "content_block_start",
      index: 2,
      content_block: { type: "tool_use", id: toolId, name: "Tool1", input: {} },
    },
    { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"command":' } },
    {
      type: "content_block_delta",
      index: 2,
      delta: { type: "input_json_delta", partial_json: `"ls -la src/${turn}"}` },
    },
    { type: "content_block_stop", index: 2 },
    { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 180 } },
    { type: "message_stop" },
  ];
  const rows = events.map((e, i) => sse(id, 300 + i * 20, e));
  rows.push(JSON.stringify({
    exchange_id: id,
    kind: "exchange",
    ts_start: new Date(ts).toISOString(),
    ts_end: new Date(ts + 4000).toISOString(),
    duration_ms: 4000,
    upstream: "anthropic",
    client: { ip: "127.0.0.1", user_agent: "claude-cli/2.1.197 (external, cli)" },
    request: {
      method: "POST",
      path: "/v1/messages?beta=true",
      headers: { "x-api-key": "REDACTED:abcd" },
      body: JSON.stringify(body),
    },
    response: { status: 200, headers: { "request-id": `req_${id}` } },
    stream_event_count: events.length,
    cwd: "/repo",
    git_branch: "main",
  }));
  history.push({
    role: "assistant",
    content: [{ type: "thinking", thinking, signature: "sig".repeat(40) }, { type: "text", text }, {
      type: "tool_use",
      id: toolId,
      name: "Tool1",
      input: { command: `ls -la src/${turn}` },
    }],
  });
  history.push({
    role: "user",
    content: [{ type: "tool_result", tool_use_id: toolId, content: filler(1500, turn * 3) }],
  });
  return rows;
}

/** The rows of one Codex turn (Responses API). */
function codexTurn(conv: number, turn: number, input: unknown[], ts: number): string[] {
  const id = `x${conv}t${turn}`.padEnd(32, "0");
  const call = {
    type: "function_call",
    call_id: `call_${conv}_${turn}`,
    name: "exec_command",
    arguments: JSON.stringify({ cmd: `rg -n todo src/${turn}` }),
  };
  const reasoning = {
    type: "reasoning",
    summary: [{ type: "summary_text", text: filler(300, turn) }],
    encrypted_content: "e".repeat(800),
  };
  const usage = {
    input_tokens: 20_000 + turn * 800,
    input_tokens_details: { cached_tokens: 18_000 + turn * 700 },
    output_tokens: 220,
    output_tokens_details: { reasoning_tokens: 120 },
  };
  const body = {
    model: "gpt-5-codex",
    instructions: INSTRUCTIONS,
    input,
    tools: TOOLS.slice(0, 6).map((t) => ({ type: "function", name: t.name, description: t.description })),
    stream: true,
    prompt_cache_key: `codex-${conv}`,
  };
  const events = [
    { type: "response.created", response: { id: `resp_${id}`, status: "in_progress", output: [] } },
    { type: "response.output_item.added", output_index: 0, item: { ...reasoning, summary: [] } },
    { type: "response.output_item.done", output_index: 0, item: reasoning },
    { type: "response.output_item.added", output_index: 1, item: { ...call, arguments: "" } },
    ...Array.from(
      { length: 6 },
      (_, i) => ({
        type: "response.function_call_arguments.delta",
        output_index: 1,
        delta: call.arguments.slice(i * 6, i * 6 + 6),
      }),
    ),
    { type: "response.output_item.done", output_index: 1, item: call },
    {
      type: "response.completed",
      response: { id: `resp_${id}`, model: "gpt-5-codex", status: "completed", output: [reasoning, call], usage },
    },
  ];
  const rows = events.map((e, i) => sse(id, 200 + i * 15, e));
  rows.push(JSON.stringify({
    exchange_id: id,
    kind: "exchange",
    ts_start: new Date(ts).toISOString(),
    ts_end: new Date(ts + 3000).toISOString(),
    duration_ms: 3000,
    upstream: "openai",
    client: { ip: "127.0.0.1", user_agent: "codex_exec/0.169.0 (Debian 12)" },
    request: {
      method: "POST",
      path: "/v1/responses",
      headers: { "session-id": `codex-${conv}` },
      body: JSON.stringify(body),
    },
    response: { status: 200, headers: {} },
    stream_event_count: events.length,
  }));
  input.push(reasoning, call, { type: "function_call_output", call_id: call.call_id, output: filler(1500, turn * 5) });
  return rows;
}

/** Writes about `bytes` of proxy JSONL; conversations of 60 turns, every fourth one Codex. Returns exchanges written. */
async function generate(file: string, bytes: number): Promise<number> {
  const handle = await open(file, "w");
  let written = 0;
  let exchanges = 0;
  let ts = Date.parse(`${DATE}T00:00:00Z`);
  try {
    for (let conv = 0; written < bytes; conv++) {
      const history: unknown[] = conv % 4 === 3
        ? [{ type: "message", role: "user", content: [{ type: "input_text", text: `task ${conv}` }] }]
        : [{ role: "user", content: [{ type: "text", text: `task ${conv}` }] }];
      for (let turn = 0; turn < 60 && written < bytes; turn++) {
        const rows = conv % 4 === 3 ? codexTurn(conv, turn, history, ts) : claudeTurn(conv, turn, history, ts);
        const text = rows.join("\n") + "\n";
        await handle.write(text);
        written += Buffer.byteLength(text);
        exchanges++;
        ts += 5000;
      }
    }
  } finally {
    await handle.close();
  }
  return exchanges;
}

async function derive(root: string, dataset: Dataset): Promise<number> {
  const db = await openDb();
  try {
    const outcome = await refreshPartition(db, {
      dataset,
      gatewayId: "bench",
      date: DATE,
      sourcePath: path.join(root, "bench", "proxy", `${DATE}.jsonl`),
      dir: partitionDir(path.join(root, "cache"), dataset.name, "bench", DATE),
    });
    return outcome.rows;
  } finally {
    db.close();
  }
}

const DATASETS: Record<string, Dataset> = { proxy_messages: PROXY_MESSAGES, llm_requests: LLM_REQUESTS };

/** Runs this module as a child: `generate <root> <bytes>` or `derive <root> <dataset>`; prints the result as JSON. */
async function child(args: string[]): Promise<unknown> {
  const [mode, root, arg] = args;
  if (mode === "generate") {
    const file = path.join(root, "bench", "proxy", `${DATE}.jsonl`);
    await mkdir(path.dirname(file), { recursive: true });
    return { exchanges: await generate(file, Number(arg)) };
  }
  let rows = 0;
  const m = await measure(async () => void (rows = await derive(root, DATASETS[arg])));
  return { rows, ...m };
}

// Each step in a process of its own: the generator's heap and one derivation's memory never count for another's.
// With ctvs's V8 flags, as the compiled binary runs `ctvs query`.
async function spawnSelf(args: string[]): Promise<Record<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", "--quiet", ...DENO_RUN_FLAGS, new URL(import.meta.url).pathname, ...args],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`bench child ${args.join(" ")} failed (${out.code})`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const mb = Number(process.env.CTVS_BENCH_CONVERSATIONS_MB ?? 1000);
  const root = await mkdtemp(path.join(os.tmpdir(), "ctvs-bench-conv-"));
  try {
    const { exchanges } = await spawnSelf(["generate", root, String(mb * 1e6)]);
    const bytes = (await stat(path.join(root, "bench", "proxy", `${DATE}.jsonl`))).size;
    const results: BenchResult[] = [];
    for (const name of Object.keys(DATASETS)) {
      const { rows, seconds, peakRssBytes } = await spawnSelf(["derive", root, name]);
      results.push({
        benchmark: "conversations",
        case: `${name} from ${exchanges} exchanges (${(bytes / 1e6).toFixed(0)} MB)`,
        rows,
        bytes,
        seconds,
        peakRssBytes,
      });
    }
    return results;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

if (import.meta.main) console.log(JSON.stringify(await child(Deno.args)));
