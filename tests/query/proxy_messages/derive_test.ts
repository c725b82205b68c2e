import assert from "node:assert/strict";
import { appendFile, mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { partitionDir } from "../../../query/cache_layout.ts";
import { derivedSelect } from "../../../query/derived_select.ts";
import { openDb } from "../../../query/duckdb.ts";
import { LLM_REQUESTS } from "../../../query/llm_requests/dataset.ts";
import { readBundles } from "../../../query/proxy_messages/bundles.ts";
import { PROXY_MESSAGES } from "../../../query/proxy_messages/dataset.ts";
import { deriveProxyMessages } from "../../../query/proxy_messages/derive.ts";
import { MessageWalker } from "../../../query/proxy_messages/walker.ts";
import { refreshPartition } from "../../../query/refresh_partition.ts";
import { anthropicEvents, eventRows, exchangeRow, type Row } from "./_fixtures.ts";

const DATE = "2025-03-01";
// Big enough that the rows of a day, weighed with their system text, fill several files.
const SYSTEM = "You are terse. ".repeat(20_000);
const TOOLS = [{ name: "Bash", description: "Runs a command.", input_schema: { type: "object" } }];

/** A day of Claude Code exchanges (two system prompts, tools or none), a Codex one and a Chat one without either. */
function day(): Row[] {
  const rows: Row[] = [];
  let history: Row[] = [];
  for (let turn = 0; turn < 12; turn++) {
    const id = `a${turn}`;
    history = [...history, { role: "user", content: [{ type: "text", text: `step ${turn}` }] }];
    const events = anthropicEvents({
      id: `m${turn}`,
      model: "claude-sonnet-4-5",
      blocks: [{ type: "text", text: `done ${turn}` }],
      stop: "end_turn",
      usage: { input_tokens: 5, output_tokens: 1 },
    });
    rows.push(
      ...eventRows(id, events),
      exchangeRow(id, `${DATE}T10:00:${String(turn).padStart(2, "0")}.000Z`, {
        body: {
          model: "claude-sonnet-4-5",
          system: turn % 5 === 4 ? "Another prompt." : [{ type: "text", text: SYSTEM }],
          ...(turn % 3 === 2 ? {} : { tools: TOOLS }),
          metadata: { user_id: JSON.stringify({ session_id: "s1" }) },
          messages: history,
          stream: true,
        },
        events: events.length,
      }),
    );
    history = [...history, { role: "assistant", content: [{ type: "text", text: `done ${turn}` }] }];
  }
  rows.push(exchangeRow("x1", `${DATE}T11:00:00.000Z`, {
    path: "/v1/responses",
    headers: { "session-id": "codex-1" },
    user_agent: "codex_exec/0.169.0",
    body: { model: "gpt-5-codex", instructions: "Be brief.", input: [{ role: "user", content: "hi" }], tools: TOOLS },
    response: { status: "completed", output: [{ type: "message", role: "assistant", content: "hello" }] },
  }));
  rows.push(exchangeRow("c1", `${DATE}T12:00:00.000Z`, {
    path: "/v1/chat/completions",
    user_agent: "sdk",
    body: { model: "gpt-4o", messages: [{ role: "user", content: "ping" }] },
    response: { choices: [{ message: { role: "assistant", content: "pong" }, finish_reason: "stop" }] },
  }));
  return rows;
}

async function tempDir(): Promise<string> {
  return await mkdtemp(path.join(tmpdir(), "ctvs-derive-"));
}

test("proxy_messages: the system text and tools written once are joined back; rows split over files read as one", async () => {
  const dir = await tempDir();
  const db = await openDb();
  try {
    const file = path.join(dir, `${DATE}.jsonl`);
    await writeFile(file, day().map((r) => JSON.stringify(r) + "\n").join(""));
    const walker = new MessageWalker();
    const expected: Row[] = [];
    for await (const bundle of readBundles(file)) expected.push(...walker.exchange(bundle));

    const derived = await deriveProxyMessages(db, file, path.join(dir, "rows.jsonl"), {
      date: DATE,
      dir: path.join(dir, "cache", `date=${DATE}`),
    });
    assert.ok(derived.files.length > 1, `rows in ${derived.files.length} file(s)`);
    assert.equal(derived.rows, expected.length);
    const select = derivedSelect(PROXY_MESSAGES, { gatewayId: "gw", date: DATE }, derived);
    const rows = await db.all(`SELECT part_id, conversation_id, system_text, tools::VARCHAR AS tools FROM (${select})`);
    const got = rows.map((r) => [r.part_id, r.conversation_id, r.system_text, r.tools && JSON.parse(String(r.tools))]);
    const want = expected.map((r) => [r.part_id, r.conversation_id, r.system_text, r.tools]);
    const byPart = (a: unknown[], b: unknown[]) => String(a[0]).localeCompare(String(b[0]));
    assert.deepEqual(got.sort(byPart), want.sort(byPart));
    assert.deepEqual(
      new Set(want.map((r) => r[2] === null ? null : String(r[2]).length)),
      new Set([SYSTEM.length, 15, 9, null]),
    );
  } finally {
    db.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test("a derived partition reads its day in place, up to the last complete line, and leaves no files behind", async () => {
  const root = await tempDir();
  const db = await openDb();
  try {
    const source = path.join(root, "gw", "proxy", `${DATE}.jsonl`);
    await mkdir(path.dirname(source), { recursive: true });
    const [one, two] = day().filter((r) => r.kind === "exchange" && !r.exchange_id.startsWith("a"));
    const second = JSON.stringify(two);
    await writeFile(source, JSON.stringify(one) + "\n" + second.slice(0, 50));
    const partition = (dataset: typeof LLM_REQUESTS) => ({
      dataset,
      gatewayId: "gw",
      date: DATE,
      sourcePath: source,
      dir: partitionDir(path.join(root, "cache"), dataset.name, "gw", DATE),
    });
    for (const dataset of [LLM_REQUESTS, PROXY_MESSAGES]) {
      assert.equal((await refreshPartition(db, partition(dataset))).rows, dataset === LLM_REQUESTS ? 1 : 2);
    }
    await appendFile(source, second.slice(50) + "\n");
    for (const dataset of [LLM_REQUESTS, PROXY_MESSAGES]) {
      const outcome = await refreshPartition(db, partition(dataset));
      assert.equal(outcome.rows, dataset === LLM_REQUESTS ? 2 : 4);
      assert.equal(outcome.cursor?.source_epoch, 1);
      const epoch = path.join(partition(dataset).dir, "epoch=1");
      assert.deepEqual((await readdir(epoch)).filter((f) => !f.endsWith(".parquet")), []);
    }
  } finally {
    db.close();
    await rm(root, { recursive: true, force: true });
  }
});
