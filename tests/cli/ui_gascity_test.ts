/**
 * `ctvs ui`'s reads over Gas City sessions (the backend the page calls, in process): one conversation per session
 * with the agent's names, its parts in order without the attachment lines and usage reports, and one turn per request,
 * priced once though the capture wrote a batch twice; a Codex request starts at its first answer item.
 */
import assert from "node:assert/strict";
import { appendFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { loadContext } from "../../cli/query/context.ts";
import { uiBackend } from "../../cli/ui/backend.ts";
import { UiReader } from "../../cli/ui/reader.ts";
import { gascitySessionRows } from "../../query/gascity/message_rows.ts";
import { lineKey } from "../../server/gascity/line_key.ts";
import { tempDir } from "../helpers/child.ts";
import { jsonl } from "../query/_fixtures.ts";
import { MAYOR, writeGascityDays } from "../query/gascity/_days.ts";
import { CODEX_FILE, lines } from "../query/transcript_rows/_recorded.ts";

test("ctvs ui reads a Gas City session as a conversation: agent, parts, turns and cost", async () => {
  const tmp = await tempDir("ctvs-ui-gascity-");
  try {
    const root = path.join(tmp.dir, "rec");
    await writeGascityDays(root, "gw", ["2026-03-01", "2026-03-02"]);
    const polecat = { ...MAYOR, sessionId: "s-9", template: "polecat", rig: "rig-b", alias: "p1", provider: "codex" };
    const maker = gascitySessionRows(polecat, undefined);
    const codex = lines(CODEX_FILE).flatMap((line) => maker.line(line, lineKey(line)));
    await appendFile(path.join(root, "gw", "gascity_messages", "2026-03-02.jsonl"), jsonl(codex));
    const config = path.join(tmp.dir, "config.json");
    await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: root } }));
    const io = { out: () => {}, err: (line: string) => assert.fail(line), isTTY: false, color: false };
    const ctx = await loadContext({ config }, { scope: {} } as Parameters<typeof loadContext>[1], "usage");
    const backend = uiBackend(new UiReader(ctx, "auto", io));
    const page = { limit: 100, offset: 0 };

    const list = await backend.conversations({}, {}, page);
    const pick = ["origin", "conversation_id", "conversation_source", "agent_template", "agent_rig", "agent_alias"];
    assert.deepEqual(list.rows.map((r) => [...pick.map((k) => r[k]), r.turns, r.cost_usd]), [
      ["gascity", "bright-lights:s-9", "codex", "polecat", "rig-b", "p1", 4, 0.004055],
      ["gascity", "bright-lights:s-7f2", "claude_code", "mayor", "rig-a", "mayor", 4, 0.01035],
    ]);
    // The agent's names are searched too.
    const found = await backend.conversations({ q: "RIG-B" }, {}, page);
    assert.deepEqual(found.rows.map((r) => r.conversation_id), ["bright-lights:s-9"]);

    // The mayor's parts: the dialogue in order, once each, without the attachment lines.
    const parts = await backend.conversationParts("gascity", "bright-lights:s-7f2", page);
    assert.deepEqual(parts.rows.map((p) => [p.message_index, p.role, p.part_index, p.part_type]), [
      [0, "user", 0, "text"],
      [1, "assistant", 0, "reasoning"],
      [1, "assistant", 1, "tool_call"],
      [2, "user", 0, "tool_result"],
      [3, "assistant", 0, "reasoning"],
      [3, "assistant", 1, "text"],
      [4, "user", 0, "text"],
      [5, "assistant", 0, "reasoning"],
      [5, "assistant", 1, "text"],
      [5, "assistant", 2, "tool_call"],
      [5, "assistant", 3, "tool_call"],
      [6, "user", 0, "tool_result"],
      [7, "user", 0, "tool_result"],
      [8, "assistant", 0, "reasoning"],
      [8, "assistant", 1, "text"],
    ]);
    // One turn per answer, starting at its first part, its input counted with the cache as llm_requests counts it.
    const firstAt = (rows: typeof parts.rows, index: number) => rows.find((p) => p.message_index === index)!;
    const turns = await backend.conversationTurns("gascity", "bright-lights:s-7f2", page);
    assert.deepEqual(
      turns.rows.map((t) => [t.api, t.ts_start, t.input_tokens, t.cache_read_tokens, t.output_tokens, t.cost_usd]),
      [
        ["messages", firstAt(parts.rows, 1).message_created_at, 25, 0, 12, 0.000255],
        ["messages", firstAt(parts.rows, 3).message_created_at, 25, 0, 12, 0.000255],
        ["messages", firstAt(parts.rows, 5).message_created_at, 3040, 2000, 30, 0.00492],
        ["messages", firstAt(parts.rows, 8).message_created_at, 3040, 2000, 30, 0.00492],
      ],
    );
    assert.ok(turns.rows.every((t) => t.exchange_id === null && t.latency_ms === null), "no recorded exchange");

    // Codex: its usage reports are not parts; each request starts at its first answer item since the last report.
    const codexParts = (await backend.conversationParts("gascity", "bright-lights:s-9", page)).rows;
    assert.ok(codexParts.every((p) => p.part_type !== "usage"));
    const codexTurns = (await backend.conversationTurns("gascity", "bright-lights:s-9", page)).rows;
    // The answers are messages 3 (a call), 5 (a text), 7 to 10 (thinking, text, two calls) and 13 to 14.
    const starts = [3, 5, 7, 13].map((index) => firstAt(codexParts, index).message_created_at);
    assert.deepEqual(codexTurns.map((t) => t.ts_start), starts);
    assert.deepEqual(codexTurns.map((t) => [t.api, t.input_tokens, t.cache_read_tokens, t.cost_usd]), [
      ["responses", 30, 0, 0.0001275],
      ["responses", 30, 0, 0.0001275],
      ["responses", 3000, 2000, 0.0019],
      ["responses", 3000, 2000, 0.0019],
    ]);
  } finally {
    await tmp.remove();
  }
});
