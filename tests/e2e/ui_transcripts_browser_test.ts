/**
 * `ctvs ui` in headless Chromium over imported history only: the transcripts the real Claude Code and Codex CLIs
 * wrote (`tests/fixtures/transcripts/`), read by `ctvs import`, with no proxy recording. The conversations, their
 * turns' usage and the usage report show them; screenshots are saved (tests/helpers/chromium.ts says where).
 */
import assert from "node:assert/strict";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { launchChromium, screenshotDir } from "../helpers/chromium.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";
import { writeTranscripts } from "../fixtures/transcript_variants.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

test("ctvs ui shows imported Claude Code and Codex history: conversations, turns with usage, the usage report", async () => {
  const tmp = await tempDir("ctvs-ui-import-");
  const ui = { child: undefined as ReturnType<typeof startCtvs> | undefined };
  const browser = await launchChromium();
  try {
    const dirs = await writeTranscripts(path.join(tmp.dir, "in"));
    const config = path.join(tmp.dir, "collectivus.json");
    await writeFile(
      config,
      JSON.stringify({ version: 1, gateway_id: "gw", sink: { type: "file", dir: path.join(tmp.dir, "data") } }),
    );
    const env = { CLAUDE_CONFIG_DIR: dirs.claudeConfig, CODEX_HOME: dirs.codexHome };
    const imported = await ctvs(["import", "all", "--config", config], { env });
    assert.equal(imported.code, 0, imported.stderr);
    const usage = await ctvs(["query", "usage", "--config", config, "--format", "json"]);
    const total = (JSON.parse(usage.stdout) as Row[]).at(-1)!;
    assert.equal(total.requests, 8);

    ui.child = startCtvs(["ui", "--config", config]);
    const line = await ui.child.waitFor(/^ctvs ui: http:\/\/127\.0\.0\.1:\d+\/\?token=/, 30_000);
    const url = line.slice("ctvs ui: ".length);
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("console", (message) => message.type() === "error" && errors.push(message.text()));

    await page.goto(url);
    const list = page.getByTestId("conversations");
    await list.locator("tbody tr").nth(1).waitFor();
    assert.equal(await list.locator("tbody tr").count(), 2);
    const rows = await list.locator("tbody tr").allInnerTexts();
    assert.ok(rows.every((r) => /· imported/.test(r)), rows.join("\n"));
    assert.ok(rows.some((r) => /claude_code[\s\S]*claude-sonnet-4-5-20250929[\s\S]*\b4\b[\s\S]*\$0\.01035/.test(r)));
    assert.ok(rows.some((r) => /codex[\s\S]*gpt-5[\s\S]*\b4\b[\s\S]*\$0\.004055/.test(r)));
    await page.screenshot({ path: path.join(screenshotDir(), "imported-conversations.png"), fullPage: true });

    // Claude Code's conversation: the several-block answer, each call beside its result, a turn per request.
    await list.locator("tbody tr", { hasText: "claude_code" }).click();
    const messages = page.getByTestId("messages");
    await messages.getByText("I will run the marker command twice.").waitFor();
    assert.match(await messages.innerText(), /explain, then run the marker command twice/);
    const calls = page.getByTestId("tool-call");
    assert.equal(await calls.count(), 3);
    for (let i = 0; i < 3; i++) assert.match(await calls.nth(i).getByTestId("tool-result").innerText(), /ctvs-e2e/);
    const turns = page.getByTestId("turn");
    assert.equal(await turns.count(), 4);
    assert.match(await turns.first().innerText(), /from the transcript · in 25 \/ out 12 · \$0\.000255/);
    assert.equal(await turns.getByText("raw exchange").count(), 0);
    assert.match(await page.getByTestId("conversation-summary").innerText(), /imported from its transcript/);
    await page.screenshot({ path: path.join(screenshotDir(), "imported-conversation.png"), fullPage: true });

    // Codex's: its turns too.
    await page.goto(url);
    await list.locator("tbody tr", { hasText: "codex" }).click();
    await page.getByTestId("messages").getByText("I will run the marker command twice.").waitFor();
    assert.equal(await page.getByTestId("turn").count(), 4);

    // Usage: the imported requests are in the default report (proxy and transcripts), none in the proxy's alone.
    await page.goto(`${url}#/usage`);
    const cost = page.getByTestId("total-cost");
    await cost.waitFor();
    assert.equal(Number((await cost.innerText()).replace("$", "")), total.cost_usd);
    await page.screenshot({ path: path.join(screenshotDir(), "imported-usage.png"), fullPage: true });
    await page.locator('select[name="source"]').selectOption("proxy");
    await page.getByRole("button", { name: "Search" }).click();
    const totalRow = page.getByTestId("usage-table").locator("tbody tr").last();
    for (const deadline = Date.now() + 10_000; !/^Total\s+0\b/.test(await totalRow.innerText());) {
      assert.ok(Date.now() < deadline, `the proxy's report has no request: ${await totalRow.innerText()}`);
      await new Promise((done) => setTimeout(done, 50));
    }
    assert.deepEqual(errors, [], "no script errors or failed requests on the page");
  } finally {
    await browser.close();
    if (ui.child) {
      ui.child.kill("SIGTERM");
      assert.equal((await ui.child.exited).code, 0, ui.child.transcript());
    }
    await tmp.remove();
  }
});
