/**
 * The real Claude Code and Codex CLIs run two turns each through a ctvs proxy (`transcripts_record.ts`); then
 * `ctvs import all` reads the transcripts they wrote from their usual places, and the imported rows are compared with
 * what the proxy recorded of the same turns, and with ccusage's report of the same files.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { ctvs, runToEnd, tempDir } from "../helpers/child.ts";
import { npmClient } from "../helpers/npm_clients.ts";
import { recordTranscripts } from "./transcripts_record.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

function jsonl(text: string): Row[] {
  return text.split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** What a part says, whichever dataset holds it. */
const said = (r: Row) =>
  JSON.stringify([r.role, r.part_type, r.content_text, r.tool_name, r.tool_call_id, r.tool_args, r.thinking_signature]);

test("the transcripts real Claude Code and Codex wrote, imported, hold the parts and usage the proxy recorded", async () => {
  const tmp = await tempDir("ctvs-transcripts-");
  try {
    const rec = await recordTranscripts(tmp.dir);
    // The clients' own places: $HOME/.claude/projects and $CODEX_HOME/sessions.
    const env = { HOME: tmp.dir, CODEX_HOME: tmp.dir };
    const imported = await ctvs(["import", "all", "--config", rec.config, "--format", "json"], { env });
    assert.equal(imported.code, 0, imported.stderr);
    const summary = JSON.parse(imported.stdout);
    assert.deepEqual([summary.sources.claude_code.files, summary.sources.codex.files], [1, 1]);
    const sql = async (query: string) => {
      const r = await ctvs(["query", "sql", query, "--config", rec.config, "--format", "jsonl"]);
      assert.equal(r.code, 0, r.stderr);
      return jsonl(r.stdout);
    };
    const conversations = await sql(
      "select distinct conversation_source, conversation_id from transcript_messages order by 1",
    );
    assert.deepEqual(conversations.map((c) => c.conversation_source), ["claude_code", "codex"]);
    for (const { conversation_source: client, conversation_id: id } of conversations) {
      const columns = "role, part_type, content_text, tool_name, tool_call_id, tool_args::VARCHAR as tool_args, " +
        "thinking_signature, status::VARCHAR as status";
      const imported = await sql(
        `select ${columns} from transcript_messages where conversation_id = '${id}' order by message_created_at, part_index`,
      );
      const proxied = await sql(`select ${columns} from proxy_messages where conversation_id = '${id}'`);
      assert.ok(proxied.length > 0, `the proxy saw the ${client} conversation ${id} under the same id`);
      const wire = new Set(proxied.map(said));
      // Every answer part, tool call and tool result of the transcript is what went over the wire, and back.
      const answers = imported.filter((r) => r.role === "assistant" || r.part_type === "tool_result");
      assert.ok(answers.length >= 9, `${client}: ${answers.length} answer parts`);
      for (const part of answers) assert.ok(wire.has(said(part)), `${client}: not on the wire: ${said(part)}`);
      const transcribed = new Set(imported.map(said));
      for (const part of proxied.filter((r) => r.role === "assistant")) {
        assert.ok(transcribed.has(said(part)), `${client}: not in the transcript: ${said(part)}`);
      }
      // The prompts too (the proxy also sees the context the client adds around them).
      const prompts = imported.filter((r) =>
        r.role === "user" && r.part_type === "text" && /marker/.test(r.content_text)
      );
      assert.equal(prompts.length, 2);
      for (const p of prompts) assert.ok(wire.has(said(p)), `${client}: prompt not on the wire: ${said(p)}`);
      const results = imported.filter((r) => r.part_type === "tool_result");
      assert.equal(results.length, 3, `${client}: a tool result per call`);
      assert.ok(results.every((r) => /ctvs-e2e/.test(r.content_text) && r.tool_name !== null));
    }

    // Usage: each request the transcripts saw is one the proxy recorded, with the same tokens and cost.
    const pairs = await sql(
      `select t.conversation_source, t.input_tokens = l.input_tokens and t.output_tokens = l.output_tokens
         and t.cache_read_tokens = l.cache_read_tokens and t.cache_write_tokens = l.cache_write_tokens as same,
         t.cost_usd = l.cost_usd as same_cost
       from transcript_requests t join llm_requests l
         on t.request_id = l.request_id or t.response_id = l.response_id`,
    );
    assert.deepEqual(pairs.map((p) => [p.conversation_source, p.same, p.same_cost]).sort(), [
      ...Array(4).fill(["claude_code", true, true]),
      ...Array(4).fill(["codex", true, true]),
    ]);
    const usage = async (source: string) => {
      const r = await ctvs(["query", "usage", "--source", source, "--config", rec.config, "--format", "jsonl"]);
      assert.equal(r.code, 0, r.stderr);
      return jsonl(r.stdout).at(-1)!;
    };
    const [proxy, all, transcripts] = [await usage("proxy"), await usage("all"), await usage("transcripts")];
    assert.deepEqual(all, proxy, "a request both saw is counted once");
    assert.equal(transcripts.requests, 8);

    // ccusage, on the same files, reports the same totals.
    const ccusage = await runToEnd(await npmClient("ccusage"), ["daily", "--json", "--offline", "--timezone", "UTC"], {
      env: { HOME: tmp.dir, CODEX_HOME: tmp.dir },
    });
    assert.equal(ccusage.code, 0, ccusage.stderr);
    const totals = JSON.parse(ccusage.stdout).totals;
    assert.deepEqual(
      [totals.inputTokens, totals.outputTokens, totals.cacheCreationTokens, totals.cacheReadTokens, totals.totalTokens],
      [
        transcripts.input_tokens,
        transcripts.output_tokens,
        transcripts.cache_write_tokens,
        transcripts.cache_read_tokens,
        transcripts.total_tokens,
      ],
    );
    assert.equal(Math.round(totals.totalCost * 1e6) / 1e6, transcripts.cost_usd);

    // Importing again adds nothing.
    const again = await ctvs(["import", "all", "--config", rec.config], { env });
    assert.equal(again.code, 0, again.stderr);
    assert.equal(again.stdout.split("\n").at(-1), "Nothing new to import.");
    const counts = await sql("select count(*) as n from transcript_messages");
    assert.equal(counts[0].n, summary.sources.claude_code.parts + summary.sources.codex.parts);
  } finally {
    await tmp.remove();
  }
});
