/**
 * `ctvs ui` in headless Chromium over what this project's real-client tests record (Claude Code and Codex through a
 * real proxy; a trace, logs and metrics from the OpenTelemetry SDK's exporters; a Gas City's agents recorded from a
 * supervisor): each screen shows what a user must see, and a screenshot of each is saved (tests/helpers/chromium.ts
 * says where).
 */
import assert from "node:assert/strict";
import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Locator, Page } from "playwright-core";
import { launchChromium, openUi, screenshotDir } from "../helpers/chromium.ts";
import { ctvs, startCtvs, tempDir } from "../helpers/child.ts";
import { until } from "../helpers/until.ts";
import { KNOWN_SPANS, LONG, PICTURE, PICTURE_PROMPTS, recordForUi } from "./ui_record.ts";
import { recordCity } from "./gascity_record.ts";
import { cost, count } from "../../ui/format.ts";

// deno-lint-ignore no-explicit-any
type Row = Record<string, any>;

async function cliJson(args: string[]): Promise<Row[]> {
  const result = await ctvs([...args, "--format", "json"]);
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout);
}

/** Saves a screenshot of the whole page (from its top: sticky bars stay put), or of the view only. */
async function shot(page: Page, name: string, fullPage = true): Promise<void> {
  if (fullPage) await page.locator("body").evaluate((e) => e.ownerDocument.defaultView!.scrollTo(0, 0));
  await page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage });
}

/** Waits until the image `locator` finds has loaded at the picture's own size. */
async function imageDrawn(locator: Locator, what: string): Promise<void> {
  await locator.waitFor();
  let size = [0, 0];
  await until(`${what} is drawn`, async () => {
    size = await locator.evaluate((e) => {
      const image = e as unknown as { naturalWidth: number; naturalHeight: number };
      return [image.naturalWidth, image.naturalHeight];
    });
    return size[0] > 0;
  });
  assert.deepEqual(size, [PICTURE.width, PICTURE.height], what);
}

/** A computed style property of an element. */
function cssOf(locator: Locator, property: string): Promise<string> {
  return locator.evaluate((e, p) => e.ownerDocument.defaultView!.getComputedStyle(e).getPropertyValue(p), property);
}

/** The WCAG contrast ratio of two CSS colours (`rgb(r, g, b)`). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, bl] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
  };
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

/** A bar's box relative to the bar area of its row. */
async function barBox(page: Page, span: string) {
  const box = await page.locator(`.span-row[data-span="${span}"] [data-testid="span-bar"]`).boundingBox();
  assert.ok(box, `a bar for ${span}`);
  return box;
}

test("ctvs ui shows the recorded conversations, usage, traces, logs, metrics and SQL in Chromium", async () => {
  const tmp = await tempDir("ctvs-ui-e2e-");
  const ui = {
    child: undefined as ReturnType<typeof startCtvs> | undefined,
    never: undefined as ReturnType<typeof startCtvs> | undefined,
  };
  const browser = await launchChromium();
  try {
    const recorded = await recordForUi(tmp.dir);
    const config = ["--config", recorded.config];
    // The CLI's own view of the same data, read before the UI so the cache is warm for both.
    const usage = await cliJson(["query", "usage", ...config]);
    const total = usage.find((r) => r.date === "Total")!;
    assert.ok(total.cost_usd > 0, "the Claude Code turns are priced");

    const opened = await openUi(browser, config);
    ui.child = opened.child;
    const { url, page, errors } = opened;

    // Conversations: both agents, with their client, model and cost.
    await page.goto(url);
    const list = page.getByTestId("conversations");
    await list.locator("tbody tr").nth(4).waitFor();
    assert.equal(await list.locator("tbody tr").count(), 5);
    const listText = await list.innerText();
    assert.match(listText, /claude_code/);
    assert.match(listText, /codex/);
    assert.match(listText, /gpt-fake/);
    const apiRows = list.locator("tbody tr").filter({ has: page.locator("td", { hasText: /^api$/ }) });
    assert.equal(await apiRows.count(), 3, "the SDK conversations");
    // The header speaks of this screen's datasets: fresh, though traces, logs and metrics were never read yet.
    await page.getByTestId("freshness").getByText(/^cache: fresh · refreshed \d{4}-\d{2}-\d{2} [\d:]+ UTC$/).waitFor();
    await shot(page, "conversations");

    // Claude Code's conversation: the prompt, the Bash call beside its result, the answer, the turn's usage.
    await list.locator("tbody tr", { hasText: "claude_code" }).click();
    const messages = page.getByTestId("messages");
    await messages.getByText("The command printed ctvs-e2e. Done — ✓.").waitFor();
    assert.match(await messages.innerText(), /run the marker command/);
    const call = page.getByTestId("tool-call").first();
    assert.match(await call.locator(".tool-call").innerText(), /^Bash\n[\s\S]*echo/);
    const result = call.getByTestId("tool-result");
    assert.match(await result.innerText(), /ctvs-e2e/);
    const [callBox, resultBox] = [await call.locator(".tool-call").boundingBox(), await result.boundingBox()];
    assert.ok(callBox && resultBox && Math.abs(callBox.y - resultBox.y) < 2 && resultBox.x > callBox.x + 100);
    const turns = page.getByTestId("turn");
    assert.equal(await turns.count(), 2);
    assert.match(await turns.first().innerText(), /ms.*in \d+ \/ out \d+.*\$0\.\d+.*raw exchange/s);
    assert.match(await page.getByTestId("conversation-summary").innerText(), /claude_code/);

    // What the requests offered the model comes first, folded: the system prompt (a few lines, all of it on request)
    // and the tools (their names; each one's description and schema on request).
    const [offered] = await cliJson([
      "query",
      "sql",
      "select any_value(system_text) as system_text, any_value(json_array_length(tools)) as tools " +
      "from proxy_messages where conversation_source = 'claude_code'",
      ...config,
    ]);
    const system = page.getByTestId("system-prompt");
    const firstUser = messages.locator("article.role-user").first();
    assert.ok((await system.boundingBox())!.y < (await firstUser.boundingBox())!.y, "the system prompt comes first");
    const systemText = system.locator(".text");
    const folded = (await systemText.boundingBox())!.height;
    assert.ok(folded < 100, `the system prompt is folded to a few lines (${folded} px)`);
    await system.getByRole("button", { name: /^Show all \(\d+ lines/ }).click();
    assert.ok((await systemText.boundingBox())!.height > folded * 4, "and shown whole on request");
    assert.equal((await systemText.innerText()).trimEnd(), offered.system_text.trimEnd());
    await system.getByRole("button", { name: "Show less" }).click();
    const tools = page.getByTestId("tools");
    assert.match(await tools.innerText(), new RegExp(`^▸ Tools offered to the model \\(${offered.tools}\\)\n.*Bash`));
    assert.equal(await tools.getByTestId("tool").count(), 0, "the tools are folded");
    await tools.getByRole("button", { name: /Tools offered/ }).click();
    assert.equal(await tools.getByTestId("tool").count(), offered.tools);
    const bash = tools.getByTestId("tool").filter({ has: page.getByRole("button", { name: "Bash", exact: true }) });
    await bash.getByRole("button", { name: "Bash", exact: true }).click();
    assert.match(await bash.locator("pre").innerText(), /"command"/);
    await tools.getByRole("button", { name: /Tools offered/ }).click();
    // Claude Code's system reminder in the prompt and its system message are folded too.
    const reminder = firstUser.getByTestId("collapsible");
    assert.match(await reminder.innerText(), /^system reminder\n/i);
    assert.match((await reminder.getAttribute("class"))!, /folded/);
    assert.match(await firstUser.innerText(), /run the marker command/);
    assert.match(
      (await messages.locator("article.role-system:not([data-testid])").getByTestId("collapsible").getAttribute(
        "class",
      ))!,
      /folded/,
    );
    await shot(page, "conversation");

    // Its raw exchange: the request and the SSE timeline.
    await turns.first().getByText("raw exchange").click();
    const timeline = page.getByTestId("sse-timeline");
    await timeline.waitFor();
    assert.match(await timeline.innerText(), /message_start[\s\S]*message_stop/);
    assert.match(await page.locator("dl.facts").innerText(), /POST \/v1\/messages/);
    await shot(page, "exchange");

    // The pictures the SDKs sent: drawn in the conversation (from the raw exchange) and in the raw exchange.
    for (const [model, prompt] of [["claude-opus", PICTURE_PROMPTS.anthropic], ["gpt-fake", PICTURE_PROMPTS.openai]]) {
      await page.goto(url);
      await apiRows.filter({ hasText: model }).click();
      await messages.getByText(prompt).waitFor();
      const image = messages.getByTestId("recorded-image");
      assert.equal(await image.count(), 1);
      await imageDrawn(image, `the ${model} conversation's picture`);
      if (model === "claude-opus") await shot(page, "conversation-image");
      await page.getByTestId("turn").first().getByText("raw exchange").click();
      const sent = page.getByTestId("request-images");
      await imageDrawn(sent.getByTestId("recorded-image"), `the ${model} exchange's picture`);
      assert.match(await sent.innerText(), /image\/png · 129 bytes/);
      assert.match(await page.locator("pre.body").first().innerText(), /\[image 1: image\/png, 129 bytes\]/);
      if (model === "claude-opus") await shot(page, "exchange-image");
    }

    // A long conversation is drawn a hundred messages at a time; the search looks through all of it, brings a match
    // not drawn yet into view and marks it; Show all draws everything (for the browser's own find).
    await page.goto(url);
    await apiRows.filter({ hasText: LONG.model }).click();
    await messages.getByText(`Step 0 ${LONG.step}.`, { exact: true }).waitFor();
    await page.getByTestId("more-messages").waitFor();
    assert.equal(await messages.getByText(LONG.needle).count(), 0, "the last messages are not drawn yet");
    const search = page.getByTestId("conversation-search");
    const searchStatus = page.getByTestId("search-status");
    await search.fill(LONG.needle);
    await search.press("Enter");
    await searchStatus.getByText("1 of 2").waitFor();
    const current = messages.locator("mark.current");
    await current.waitFor();
    assert.equal(await current.innerText(), LONG.needle);
    const inView = async () => {
      const box = (await current.boundingBox())!;
      return box.y >= 0 && box.y + box.height <= page.viewportSize()!.height;
    };
    await until("the match is in view", inView);
    assert.match(
      await current.locator("xpath=ancestor::article").innerText(),
      new RegExp(`^User[\\s\\S]*Step ${LONG.turns - 1} `),
    );
    await shot(page, "conversation-search", false);
    await search.press("Enter");
    await searchStatus.getByText("2 of 2").waitFor();
    await until(
      "the answer",
      async () => /^Assistant/.test(await current.locator("xpath=ancestor::article").innerText()),
    );
    await until("the second match is in view", inView);
    const [stepParts] = await cliJson([
      "query",
      "sql",
      `select count(*) as n from proxy_messages where model = '${LONG.model}' and content_text ilike '%${LONG.step}%'`,
      ...config,
    ]);
    await search.fill(LONG.step);
    await search.press("Enter");
    await searchStatus.getByText(`1 of ${stepParts.n}`).waitFor();
    await page.reload();
    await page.getByTestId("more-messages").waitFor();
    await page.getByTestId("show-all").click();
    await until("every message is drawn", async () => await page.getByTestId("more-messages").count() === 0);
    assert.equal(await messages.locator("article.message").count(), LONG.turns * 2);
    assert.equal(await messages.getByText(LONG.needle).count(), 2);
    assert.equal(await page.getByTestId("show-all").count(), 0);

    // Usage: the total cost is `ctvs query usage`'s.
    await page.goto(`${url}#/usage`);
    const cost = page.getByTestId("total-cost");
    await cost.waitFor();
    assert.equal(Number((await cost.innerText()).replace("$", "")), total.cost_usd);
    const usageRows = page.getByTestId("usage-table").locator("tbody tr");
    assert.equal(await usageRows.count(), usage.length);
    assert.match(await usageRows.last().innerText(), new RegExp(`^Total\\b[\\s\\S]*\\b${total.requests}\\b`));
    await page.locator(".chart canvas").first().waitFor();
    await shot(page, "usage");

    // Traces: the known trace, its waterfall bars sized and placed by the spans' times, its failed span, its logs.
    await page.goto(`${url}#/traces`);
    await page.getByTestId("traces").locator("tbody tr", { hasText: "checkout" }).click();
    await page.getByTestId("waterfall").locator(".span-row").nth(KNOWN_SPANS.length - 1).waitFor();
    const root = await barBox(page, "checkout");
    const rootMs = KNOWN_SPANS[0].end - KNOWN_SPANS[0].start;
    for (const span of KNOWN_SPANS) {
      const box = await barBox(page, span.name);
      const width = (span.end - span.start) / rootMs;
      const left = span.start / rootMs;
      assert.ok(Math.abs(box.width / root.width - width) < 0.01, `${span.name} width ${box.width} of ${root.width}`);
      assert.ok(Math.abs((box.x - root.x) / root.width - left) < 0.01, `${span.name} starts at ${box.x}`);
    }
    assert.match(
      (await page.locator('.span-row[data-span="llm.call"] [data-testid="span-bar"]').getAttribute("class"))!,
      /failed/,
    );
    // Duration labels: inside a bar wide enough, in a colour that reads on it; beside a narrow one, clear of it.
    const panel = await cssOf(page.getByTestId("waterfall"), "background-color");
    for (const span of KNOWN_SPANS) {
      const label = page.locator(`.span-row[data-span="${span.name}"]`).getByTestId("span-label");
      assert.equal(await label.innerText(), `${span.end - span.start}${span.end - span.start < 10 ? ".00" : ""} ms`);
      const [box, bar] = [(await label.boundingBox())!, await barBox(page, span.name)];
      const color = await cssOf(label, "color");
      const fill = await cssOf(
        page.locator(`.span-row[data-span="${span.name}"] [data-testid="span-bar"]`),
        "background-color",
      );
      if (bar.width > 100) {
        assert.ok(box.x >= bar.x && box.x + box.width <= bar.x + bar.width, `${span.name}'s label is inside its bar`);
        assert.ok(contrast(color, fill) >= 4.5, `${span.name}'s label ${color} reads on ${fill}`);
      } else {
        assert.ok(box.x >= bar.x + bar.width || box.x + box.width <= bar.x, `${span.name}'s label is beside its bar`);
        assert.ok(contrast(color, panel) >= 4.5, `${span.name}'s label ${color} reads on ${panel}`);
      }
    }
    // A span's status as a reader says it.
    await page.locator('.span-row[data-span="llm.call"]').click();
    await page.getByTestId("span-detail").getByText('"step": "llm.call"').waitFor();
    assert.equal(await page.getByTestId("span-status").innerText(), "Error: overloaded");
    await page.locator('.span-row[data-span="db.query"]').click();
    await page.getByTestId("span-detail").getByText('"step": "db.query"').waitFor();
    assert.equal(await page.getByTestId("span-status").innerText(), "Unset");
    await page.locator('.span-row[data-span="llm.call"]').click();
    await page.getByTestId("span-detail").getByText('"step": "llm.call"').waitFor();
    assert.match(await page.getByTestId("logs").innerText(), new RegExp(recorded.logBody));
    await shot(page, "trace");

    // Logs: both records, then a search.
    await page.goto(`${url}#/logs`);
    const logs = page.getByTestId("logs");
    await logs.locator("tbody tr").nth(1).waitFor();
    assert.match(await logs.innerText(), /shop started/);
    await page.locator('input[name="q"]').fill("overloaded");
    await page.locator('input[name="q"]').press("Enter");
    await until("one log record matches", async () => await logs.locator("tbody tr").count() === 1);
    assert.match(await logs.innerText(), new RegExp(recorded.logBody));
    await shot(page, "logs");

    // Metrics: one chart per series of the counter (one per region).
    await page.goto(`${url}#/metrics?name=shop.orders`);
    await page.getByTestId("metric-series").nth(1).waitFor();
    assert.equal(await page.getByTestId("metric-series").count(), 2);
    assert.match(await page.getByTestId("metrics").innerText(), /shop\.orders/);
    await shot(page, "metrics");

    // SQL: a SELECT gives the CLI's rows; a write is refused; the CSV download is the CLI's CSV.
    const sql = "select model, count(*) as requests from llm_requests group by model order by model";
    await page.goto(`${url}#/sql`);
    await page.getByTestId("sql-input").fill(sql);
    await page.getByRole("button", { name: "Run" }).click();
    const table = page.getByTestId("sql-result");
    await table.waitFor();
    const cli = await cliJson(["query", "sql", sql, ...config]);
    const shown = await table.locator("tbody tr").allInnerTexts();
    assert.deepEqual(shown.map((t) => t.split("\t")), cli.map((r) => [r.model ?? "NULL", String(r.requests)]));
    const download = page.waitForEvent("download");
    await page.getByText("Download CSV").click();
    const csv = await (await download).createReadStream();
    let csvText = "";
    for await (const chunk of csv) csvText += chunk;
    const cliCsv = await ctvs(["query", "sql", sql, ...config, "--format", "csv"]);
    assert.equal(csvText, `${cliCsv.stdout.trimEnd()}\n`);
    await shot(page, "sql");
    assert.deepEqual(errors, [], "no script errors or failed requests on the page");
    await page.getByTestId("sql-input").fill("drop table logs");
    await page.getByRole("button", { name: "Run" }).click();
    await page.getByRole("alert").waitFor();
    assert.match(await page.getByRole("alert").innerText(), /SQL must be a single read-only SELECT statement/);

    // Every dataset has been read (and so refreshed) once: the header says the cache is fresh.
    await page.getByTestId("freshness").getByText(/^cache: fresh · refreshed \d{4}-\d{2}-\d{2} /).waitFor();

    // A ctvs ui that reads the cache as it is: a log record written since is named in the header until Refresh.
    const logDir = path.join(tmp.dir, "data", "e2e", "logs");
    const [logFile] = await readdir(logDir);
    const lines = (await readFile(path.join(logDir, logFile), "utf8")).trimEnd().split("\n");
    await appendFile(path.join(logDir, logFile), `${lines[0]}\n`);
    ui.never = startCtvs(["ui", ...config, "--refresh", "never"]);
    const neverUrl = (await ui.never.waitFor(/^ctvs ui: http/, 30_000)).slice("ctvs ui: ".length);
    await page.goto(`${neverUrl}#/logs`);
    await logs.locator("tbody tr").nth(1).waitFor();
    const header = page.getByTestId("freshness");
    await header.getByText(/^cache: logs behind \(1 day file with new records since [\d-]+ [\d:]+ UTC\)$/).waitFor();
    assert.equal(await logs.locator("tbody tr").count(), lines.length, "the cached records only");
    await shot(page, "freshness-behind");
    await page.getByRole("button", { name: "Refresh" }).click();
    await header.getByText(/^cache: fresh · refreshed /).waitFor();
    await until("the new record is read", async () => await logs.locator("tbody tr").count() === lines.length + 1);
  } finally {
    await browser.close();
    for (const child of [ui.child, ui.never]) {
      if (!child) continue;
      child.kill("SIGTERM");
      assert.equal((await child.exited).code, 0, child.transcript());
    }
    await tmp.remove();
  }
});

test("ctvs ui lists a Gas City's sessions with their agent, messages, turns and cost in Chromium", async () => {
  const city = await recordCity();
  const browser = await launchChromium();
  let child: ReturnType<typeof startCtvs> | undefined;
  try {
    const opened = await openUi(browser, ["--config", city.config]);
    child = opened.child;
    const { url, page, errors } = opened;

    // The list: one conversation per session, its client marked Gas City, its agent, and the cost the capture priced.
    await page.goto(url);
    const list = page.getByTestId("conversations");
    await list.locator("tbody tr").nth(1).waitFor();
    assert.equal(await list.locator("tbody tr").count(), 2);
    const priced = (rows: Row[]) => cost(rows.reduce((sum, r) => sum + (r.cost_usd ?? 0), 0));
    const row = (agent: "mayor" | "polecat") => list.locator("tbody tr", { hasText: `${agent} · ` });
    for (
      const [agent, client, shown] of [
        ["mayor", "claude_code", "mayor · rig-a · mayor"],
        ["polecat", "codex", "polecat · rig-b · p1"],
      ] as const
    ) {
      const cells = (await row(agent).locator("td").allInnerTexts()).map((t) => t.trim());
      const header = (await list.locator("thead th").allInnerTexts()).map((t) => t.trim());
      const cell = (name: string) => cells[header.indexOf(name)];
      assert.equal(cell("Client"), `${client}· Gas City`);
      assert.equal(cell("Agent"), shown);
      assert.equal(cell("Turns"), "4");
      assert.equal(cell("Cost"), priced(city.rows[agent]));
    }
    await shot(page, "conversations-gascity");
    // The search finds a session by its agent's names.
    await page.getByLabel("Search").fill("rig-b");
    await page.getByLabel("Search").press("Enter");
    await until("only the polecat's session is listed", async () => await list.locator("tbody tr").count() === 1);
    assert.match(await list.innerText(), /polecat · rig-b · p1/);

    // The mayor's session: who the agent is, the prompt, the Bash call beside its result, each answer's turn.
    await page.goto(url);
    await row("mayor").click();
    const summary = page.getByTestId("conversation-summary");
    await summary.waitFor();
    assert.equal(await summary.getByTestId("agent").innerText(), "template mayor · rig rig-a · alias mayor");
    assert.match(await summary.innerText(), /Conversation\nalpha:s-1\n/);
    assert.match(await summary.innerText(), /claude_code \(a Gas City session of alpha\)/);
    const messages = page.getByTestId("messages");
    await messages.getByText("run the marker command").first().waitFor();
    const call = page.getByTestId("tool-call").first();
    assert.match(await call.locator(".tool-call").innerText(), /^Bash\n[\s\S]*echo/);
    assert.match(await call.getByTestId("tool-result").innerText(), /ctvs-e2e/);
    const turns = page.getByTestId("turn");
    assert.equal(await turns.count(), 4, "a turn on each of the four answers");
    const first = city.rows.mayor.find((r) => r.cost_usd !== null)!;
    assert.equal(
      await turns.first().innerText(),
      `${first.model} · from the transcript · in ${
        count(
          Number(first.input_tokens) + Number(first.cache_read_input_tokens ?? 0) +
            Number(first.cache_creation_input_tokens ?? 0),
        )
      } / out ${count(Number(first.output_tokens))} · ${cost(Number(first.cost_usd))}`,
    );
    await shot(page, "conversation-gascity");

    // The Codex polecat's session: its answers carry their turns too (Codex reports usage after the answer).
    await page.goto(url);
    await row("polecat").click();
    await page.getByTestId("conversation-summary").getByTestId("agent").waitFor();
    await page.getByTestId("messages").getByText("run the marker command").first().waitFor();
    assert.equal(await page.getByTestId("turn").count(), 4);
    assert.deepEqual(errors, [], "no script errors or failed requests on the page");
  } finally {
    await browser.close();
    if (child) {
      child.kill("SIGTERM");
      assert.equal((await child.exited).code, 0, child.transcript());
    }
    await city.remove();
  }
});

test("ctvs ui over nothing recorded: each list says where its rows come from, a filter that matches none says so", async () => {
  const tmp = await tempDir("ctvs-ui-empty-");
  const config = path.join(tmp.dir, "config.json");
  await writeFile(config, JSON.stringify({ version: 1, sink: { type: "file", dir: path.join(tmp.dir, "data") } }));
  const browser = await launchChromium();
  let child: ReturnType<typeof startCtvs> | undefined;
  try {
    const opened = await openUi(browser, ["--config", config]);
    child = opened.child;
    const { url, page, errors } = opened;
    const empty = page.getByTestId("empty");
    await page.goto(url);
    await empty.getByText(/^No conversations yet\. They come from the proxy \(ctvs attach points Claude Code/)
      .waitFor();
    await shot(page, "empty-conversations");
    for (const [screen, what] of [["traces", "traces"], ["logs", "log records"], ["metrics", "metrics"]]) {
      await page.goto(`${url}#/${screen}`);
      await empty.getByText(new RegExp(`^No ${what} yet\\. They come from OpenTelemetry SDKs`)).waitFor();
      assert.match(await empty.innerText(), /export OTLP to the receiver \(the config's otel block\)\.$/);
    }
    await page.goto(`${url}#/logs?q=nothing-like-this`);
    await empty.getByText("Nothing matches these filters.").waitFor();
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    if (child) {
      child.kill("SIGTERM");
      assert.equal((await child.exited).code, 0, child.transcript());
    }
    await tmp.remove();
  }
});
