/**
 * `ctvs import` + `ctvs query usage` against ccusage (from npm, the report Claude Code and Codex users know) on the
 * same transcripts: the ones the real CLIs wrote (`tests/fixtures/transcripts/`), as recorded and changed the ways
 * transcripts found in the wild differ (`tests/fixtures/transcript_variants.ts`). docs/import.md explains what is
 * compared and the differences this asserts.
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ctvs, runToEnd, tempDir } from "../helpers/child.ts";
import { npmClient } from "../helpers/npm_clients.ts";
import { type Variant, writeTranscripts } from "../fixtures/transcript_variants.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

/** One (day, model) of a daily report, ccusage's columns. */
interface DayModel {
  day: string;
  model: string;
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  cost: number | null;
}

/** Imports the transcripts named by `env` into a fresh root; resolves with ctvs's daily report by model. */
async function ours(dir: string, env: Record<string, string>): Promise<DayModel[]> {
  const config = path.join(dir, "collectivus.json");
  const root = path.join(dir, "data");
  await writeFile(config, JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: root } }));
  const imported = await ctvs(["import", "all", "--config", config], { env });
  assert.equal(imported.code, 0, imported.stderr);
  const daily = await ctvs([
    "query",
    "usage",
    "daily",
    "--breakdown",
    "--source",
    "transcripts",
    "--config",
    config,
    "--format",
    "json",
  ]);
  assert.equal(daily.code, 0, daily.stderr);
  return (JSON.parse(daily.stdout) as Row[]).filter((r) => r.date !== "Total").map((r) => ({
    day: r.date,
    model: r.model,
    input: r.input_tokens,
    output: r.output_tokens,
    cacheWrite: r.cache_write_tokens,
    cacheRead: r.cache_read_tokens,
    cost: r.cost_usd,
  }));
}

/** ccusage's daily report (JSON) over the same directories, with its embedded prices (`--offline`). */
async function ccusageDaily(env: Record<string, string>, args: string[]): Promise<Row> {
  const ccusage = await npmClient("ccusage");
  const result = await runToEnd(ccusage, ["daily", "--json", "--offline", "--breakdown", ...args], { env });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** ccusage's daily report by model (a model it has no price for: a null cost). */
async function theirs(env: Record<string, string>, args: string[] = ["--timezone", "UTC"]): Promise<DayModel[]> {
  const report = await ccusageDaily(env, args);
  return (report.daily as Row[]).flatMap((day) =>
    (day.modelBreakdowns as Row[]).map((m) => ({
      day: day.period ?? day.date,
      model: m.modelName,
      input: m.inputTokens,
      output: m.outputTokens,
      cacheWrite: m.cacheCreationTokens,
      cacheRead: m.cacheReadTokens,
      cost: m.missingPricing ? null : Math.round(m.cost * 1e9) / 1e9,
    }))
  ).sort((a, b) => `${a.day} ${a.model}` < `${b.day} ${b.model}` ? -1 : 1);
}

/** The environment that points both tools at `dir`'s transcripts and nothing else. */
function clientEnv(dir: string, dirs: { claudeConfig: string; codexHome: string }): Record<string, string> {
  return { HOME: dir, CLAUDE_CONFIG_DIR: dirs.claudeConfig, CODEX_HOME: dirs.codexHome, TZ: "UTC" };
}

const SONNET = { day: "2026-12-06", model: "claude-sonnet-4-5-20250929", cacheWrite: 2000, cacheRead: 4000 };
const GPT5 = { day: "2026-12-06", model: "gpt-5", cacheWrite: 0, cacheRead: 4000 };
const RECORDED: DayModel[] = [
  { ...SONNET, input: 130, output: 84, cost: 0.01035 },
  { ...GPT5, input: 2060, output: 98, cost: 0.004055 },
];

const CASES: [string, Variant[], DayModel[]][] = [
  ["as the CLIs wrote them", [], RECORDED],
  // The fork adds one response of its own (100 input, 5 output tokens); what it copied counts once.
  [
    "as older and odder transcripts are",
    ["grow", "synthetic", "sidechain", "repeat", "norecord", "fork"],
    [RECORDED[0], { ...GPT5, input: 2160, output: 103, cost: 0.00423 }],
  ],
];

for (const [name, variants, expected] of CASES) {
  test(`ccusage's daily tokens and cost per model equal ctvs's on the same transcripts, ${name}`, async () => {
    const tmp = await tempDir("ctvs-ccusage-");
    try {
      const dirs = await writeTranscripts(path.join(tmp.dir, "in"), variants);
      const env = clientEnv(tmp.dir, dirs);
      const mine = await ours(tmp.dir, env);
      assert.deepEqual(mine, expected);
      assert.deepEqual(await theirs(env), mine);
    } finally {
      await tmp.remove();
    }
  });
}

test("where ccusage and ctvs differ: ccusage's days are local unless --timezone UTC, ctvs's are UTC", async () => {
  const tmp = await tempDir("ctvs-ccusage-");
  try {
    const dirs = await writeTranscripts(path.join(tmp.dir, "in"));
    // The turns were at 06:23 UTC: the evening before in Los Angeles.
    const local = { ...clientEnv(tmp.dir, dirs), TZ: "America/Los_Angeles" };
    assert.deepEqual([...new Set((await theirs(local, [])).map((r) => r.day))], ["2026-12-05"]);
    assert.deepEqual([...new Set((await ours(tmp.dir, local)).map((r) => r.day))], ["2026-12-06"]);
  } finally {
    await tmp.remove();
  }
});

test("where ccusage and ctvs differ: a model without a price costs 0 in ccusage's total, NULL and counted in ctvs's", async () => {
  const tmp = await tempDir("ctvs-ccusage-");
  try {
    const dirs = await writeTranscripts(path.join(tmp.dir, "in"), ["unpriced"]);
    const env = clientEnv(tmp.dir, dirs);
    const report = await ccusageDaily(env, ["--timezone", "UTC"]);
    const fake = report.daily[0].modelBreakdowns.find((m: Row) => m.modelName === "gpt-fake");
    assert.deepEqual([fake.cost, fake.missingPricing, report.totals.unpricedModels], [0, true, ["gpt-fake"]]);
    const mine = await ours(tmp.dir, env);
    assert.deepEqual(mine.find((r) => r.model === "gpt-fake")?.cost, null);
    assert.deepEqual(await theirs(env), mine);
    const totals = await ctvs([
      "query",
      "usage",
      "--source",
      "transcripts",
      "--config",
      path.join(tmp.dir, "collectivus.json"),
      "--format",
      "json",
    ]);
    const total = (JSON.parse(totals.stdout) as Row[]).at(-1)!;
    assert.deepEqual([total.cost_usd, total.unpriced_requests], [report.totals.totalCost, 4]);
  } finally {
    await tmp.remove();
  }
});

test("where ccusage and ctvs differ: a fork's own first response in the same second as its copied history", async () => {
  const tmp = await tempDir("ctvs-ccusage-");
  try {
    const dirs = await writeTranscripts(path.join(tmp.dir, "in"), ["fork-same-second"]);
    const env = clientEnv(tmp.dir, dirs);
    // ctvs keys each response by its id: the copied ones count once, the fork's own once.
    const gpt = (rows: DayModel[]) => rows.find((r) => r.model === "gpt-5")!;
    const mine = gpt(await ours(tmp.dir, env));
    assert.deepEqual([mine.input, mine.output], [2160, 103]);
    // ccusage takes the events of the copy's second for copied history, the fork's own response with them.
    const theirGpt = gpt(await theirs(env));
    assert.deepEqual([theirGpt.input, theirGpt.output], [2060, 98]);
  } finally {
    await tmp.remove();
  }
});
