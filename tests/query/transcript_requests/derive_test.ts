import assert from "node:assert/strict";
import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { test } from "node:test";
import { defaultCacheDir } from "../../../query/cache_layout.ts";
import { DATASETS } from "../../../query/datasets.ts";
import { openDb } from "../../../query/duckdb.ts";
import { datasetTable, partitionStatuses } from "../../../query/partition_status.ts";
import { refreshAll } from "../../../query/refresh_all.ts";
import { openSession } from "../../../query/session.ts";
import { ClaudeCodeNormalizer, type TranscriptUsageRow } from "../../../query/transcript_rows/mod.ts";
import { usageReportSql, usageSourceSql } from "../../../query/usage_report.ts";
import { FIXTURES } from "../../e2e/transcripts_record.ts";
import { CLAUDE_FILE, lines, normalize } from "../transcript_rows/_recorded.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

/** Refreshes every dataset of `root` and runs `sql` over them. */
async function query(root: string, sql: string): Promise<Row[]> {
  const db = await openDb();
  const cache = defaultCacheDir(root);
  await refreshAll(db, await partitionStatuses(root, cache, DATASETS), { force: false });
  db.close();
  const statuses = await partitionStatuses(root, cache, DATASETS);
  const session = await openSession(DATASETS.map((d) => datasetTable(d, statuses)), {}, [root]);
  try {
    // BIGINT columns come back as text in JSON: as numbers here.
    const rows = await (await session.query(sql)).getRowObjectsJson() as Row[];
    return rows.map((r) =>
      Object.fromEntries(
        Object.entries(r).map(([k, v]) => [k, typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v]),
      )
    );
  } finally {
    session.close();
  }
}

async function writeUsage(root: string, date: string, rows: TranscriptUsageRow[]): Promise<void> {
  const dir = path.join(root, "gw", "transcript_usage");
  await mkdir(dir, { recursive: true });
  await writeFile(path.join(dir, `${date}.jsonl`), rows.map((r) => JSON.stringify(r) + "\n").join(""));
}

/** The recorded transcript as Claude Code before 2.1 wrote it: an answer's lines before its last say 1 output token. */
function olderLines() {
  const recorded = lines(CLAUDE_FILE);
  return recorded.map((l, i) => {
    const id = l.message?.id;
    if (l.type !== "assistant" || recorded[i + 1]?.message?.id !== id) return l;
    return { ...l, message: { ...l.message, stop_reason: null, usage: { ...l.message.usage, output_tokens: 1 } } };
  });
}

test("transcript_requests makes one row of a request's observations, the one with the largest output", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-transcript-requests-"));
  try {
    const { usage } = normalize(new ClaudeCodeNormalizer(), olderLines());
    assert.equal(usage.length, 8, "each answer observed at 1 output token, then at its final count");
    await writeUsage(root, "2026-12-06", usage);
    const rows = await query(
      root,
      "select usage_key, observations, output_tokens, finish_reason, input_tokens, total_tokens from transcript_requests order by ts_start",
    );
    assert.deepEqual(
      rows.map((r) => [r.observations, r.output_tokens, r.finish_reason, r.input_tokens, r.total_tokens]),
      [
        [2, 12, "tool_use", 25, 37],
        [2, 12, "stop", 25, 37],
        [2, 30, "tool_use", 3040, 3070],
        [2, 30, "stop", 3040, 3070],
      ],
    );
    assert.deepEqual(rows.map((r) => r.usage_key), [...new Set(usage.map((u) => u.usage_key))]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("transcript_requests counts a request replayed on a later day (a sidechain, a forked rollout) on its first day only", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-transcript-requests-"));
  try {
    const { usage } = normalize(new ClaudeCodeNormalizer(), lines(CLAUDE_FILE));
    await writeUsage(root, "2026-12-06", usage.slice(0, 2));
    const replay = { ...usage[0], ts_start: "2026-12-07T10:00:00.000Z", is_sidechain: true };
    await writeUsage(root, "2026-12-07", [replay, ...usage.slice(2)]);
    const rows = await query(root, "select date, usage_key from transcript_requests order by ts_start");
    assert.deepEqual(rows.map((r) => [r.date, r.usage_key]), [
      ["2026-12-06", usage[0].usage_key],
      ["2026-12-06", usage[1].usage_key],
      ["2026-12-07", usage[2].usage_key],
      ["2026-12-07", usage[3].usage_key],
    ]);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test("transcript_requests prices a request as llm_requests does, and usage --source all counts it once", async () => {
  const root = await mkdtemp(path.join(tmpdir(), "ctvs-transcript-requests-"));
  try {
    // The proxy's record of the recorded turns, and what the transcripts say of them.
    await cp(path.join(FIXTURES, "proxy"), root, { recursive: true });
    const { usage } = normalize(new ClaudeCodeNormalizer(), lines(CLAUDE_FILE));
    const gwUsage = path.join(root, "e2e", "transcript_usage");
    await mkdir(gwUsage, { recursive: true });
    await writeFile(path.join(gwUsage, "2026-12-06.jsonl"), usage.map((u) => JSON.stringify(u) + "\n").join(""));
    const pairs = await query(
      root,
      `select t.request_id, t.cost_usd as transcript_cost, l.cost_usd as proxy_cost, t.input_tokens = l.input_tokens
         and t.output_tokens = l.output_tokens and t.cache_read_tokens = l.cache_read_tokens
         and t.cache_write_tokens = l.cache_write_tokens as same_tokens, t.price_model
       from transcript_requests t join llm_requests l using (request_id) order by t.ts_start`,
    );
    assert.equal(pairs.length, 4);
    for (const p of pairs) {
      assert.ok(p.transcript_cost > 0);
      assert.equal(p.transcript_cost, p.proxy_cost);
      assert.equal(p.same_tokens, true);
      assert.equal(p.price_model, "claude-sonnet-4-5");
    }
    const count = async (source: "proxy" | "transcripts" | "all") =>
      (await query(root, `select count(*) as n, sum(cost_usd) as cost from (${usageSourceSql(source)})`))[0];
    const proxy = await count("proxy"), all = await count("all");
    assert.deepEqual([proxy.n, (await count("transcripts")).n, all.n], [8, 4, 8]);
    assert.equal(all.cost, proxy.cost);
    // A request the proxy did not see (here: its record removed) is counted from the transcript.
    const day = path.join(root, "e2e", "proxy", "2026-12-06.jsonl");
    const kept = (await readFile(day, "utf8")).split("\n").filter((l) => !l.includes(usage[3].request_id!));
    await writeFile(day, kept.join("\n"));
    const daily = await query(root, usageReportSql("daily", false, "all"));
    assert.deepEqual(daily.map((r) => [r.date, r.requests]), [["2026-12-06", 8], ["Total", 8]]);
    assert.deepEqual((await count("proxy")).n, 7);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
