/**
 * `deno task bench ui`: how long `ctvs ui` takes, in headless Chromium, from navigation to the last row drawn for a
 * 5,000-span trace and a 2,000-part conversation, against a 50-span trace and a 40-part conversation in the same run
 * (the baselines). The trace is sent by the OpenTelemetry SDK's protobuf exporter to a real `ctvs`; the conversation
 * is Claude Code traffic shaped as `bench conversations` generates it (each recorded request repeats the history).
 * Each case is the median of 5 loads after a warm-up load (which also fills the query cache); the peak RSS is the
 * `ctvs ui` process's.
 *
 * @module
 */
import { readFile, writeFile } from "node:fs/promises";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { context, trace } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BatchSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Page } from "playwright-core";
import { startCtvs, tempDir } from "../../tests/helpers/child.ts";
import { launchChromium } from "../../tests/helpers/chromium.ts";
import { claudeTurn } from "./conversations.ts";
import type { BenchResult } from "./_table.ts";

const DATE = new Date().toISOString().slice(0, 10);
const RUNS = 5;

/** Writes one Claude Code conversation of `turns` turns (4 parts each), recording every `every`-th request. */
function conversation(conv: number, turns: number, every: number): string {
  const history: unknown[] = [{ role: "user", content: [{ type: "text", text: `task ${conv}` }] }];
  let ts = Date.parse(`${DATE}T00:00:00Z`) + conv * 3_600_000;
  const lines: string[] = [];
  for (let turn = 0; turn < turns; turn++, ts += 5000) {
    const rows = claudeTurn(conv, turn, history, ts);
    if (turn % every === every - 1 || turn === turns - 1) lines.push(...rows);
  }
  return lines.join("\n") + "\n";
}

/** Sends a trace of `spans` spans (a tree: each span has up to 4 children) through the SDK to `url`. */
async function sendTrace(url: string, spans: number, service: string): Promise<string> {
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: `${url}/v1/traces` }) as never,
        maxExportBatchSize: 512,
        maxQueueSize: 10_000,
      }),
    ],
  });
  const tracer = provider.getTracer("bench", "1.0.0");
  const t0 = Date.now() - 600_000;
  const made: ReturnType<typeof tracer.startSpan>[] = [];
  for (let i = 0; i < spans; i++) {
    const parent = i === 0 ? undefined : made[Math.floor((i - 1) / 4)];
    const ctx = parent ? trace.setSpan(context.active(), parent) : undefined;
    const start = t0 + i * 2;
    made.push(tracer.startSpan(`op ${i % 37}`, { startTime: start, attributes: { "bench.i": i } }, ctx));
  }
  for (let i = spans - 1; i >= 0; i--) made[i].end(t0 + i * 2 + 1 + (spans - i));
  const id = made[0].spanContext().traceId;
  await provider.forceFlush();
  await provider.shutdown();
  return id;
}

/** Median of `RUNS` loads of `hash`, each until `done` resolves. */
async function time(page: Page, url: string, hash: string, done: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    await page.goto("about:blank");
    const start = performance.now();
    await page.goto(`${url}${hash}`);
    await done();
    if (i > 0) times.push((performance.now() - start) / 1000); // the first load warms the cache and the JIT
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

/**
 * Median of `RUNS` searches for `query` in the conversation at `hash` (loaded first, untimed): from Enter to the
 * match marked and in view (its parts loaded and its message drawn first when it is past what is drawn).
 */
async function timeSearch(page: Page, url: string, hash: string, query: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    await page.goto("about:blank");
    await page.goto(`${url}${hash}`);
    await page.getByTestId("parts-count").waitFor({ timeout: 60_000 });
    const box = page.getByTestId("conversation-search");
    await box.fill(query);
    const start = performance.now();
    await box.press("Enter");
    const mark = page.locator("mark.current");
    await mark.waitFor({ timeout: 60_000 });
    const height = page.viewportSize()!.height;
    for (let b = await mark.boundingBox(); !b || b.y < 0 || b.y + b.height > height; b = await mark.boundingBox()) {
      await page.waitForTimeout(5);
    }
    if (i > 0) times.push((performance.now() - start) / 1000);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)];
}

async function peakRss(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

/** The case name a result was reported under, for the case named `name` in the list. */
function baselineOf(results: BenchResult[], name: string, counted: Map<string, number>): string {
  if (name.startsWith("trace")) return results.find((r) => r.case.startsWith(name))!.case;
  const parts = counted.get(name.replace(", search", ""))!.toLocaleString("en-US");
  const search = name.endsWith(", search");
  return results.find((r) =>
    r.case.startsWith(`conversation, ${parts} parts, `) && r.case.includes("search") === search
  )!
    .case;
}

/** Runs the benchmark. */
export async function run(): Promise<BenchResult[]> {
  const tmp = await tempDir("ctvs-bench-ui-");
  const root = path.join(tmp.dir, "data");
  const config = path.join(tmp.dir, "collectivus.json");
  await writeFile(
    config,
    JSON.stringify({
      version: 1,
      gateway_id: "bench",
      otel: { listen: "127.0.0.1:0" },
      sink: { type: "file", dir: root },
    }),
  );
  const browser = await launchChromium();
  let ui;
  try {
    await mkdir(path.join(root, "bench", "proxy"), { recursive: true });
    // Conversation 1: 500 turns (2,000 parts and the first prompt); conversation 2: 10 turns (40 parts).
    await writeFile(
      path.join(root, "bench", "proxy", `${DATE}.jsonl`),
      conversation(1, 500, 25) + conversation(2, 10, 5),
    );

    const otlp = startCtvs(["--config", config]);
    const line = await otlp.waitFor(/OTLP listener bound on/, 30_000);
    const otlpUrl = `http://${/bound on (\S+),/.exec(line)![1]}`;
    const big = await sendTrace(otlpUrl, 5000, "bench-big");
    const small = await sendTrace(otlpUrl, 50, "bench-small");
    otlp.kill("SIGTERM");
    await otlp.exited;

    ui = startCtvs(["ui", "--config", config]);
    const url = (await ui.waitFor(/^ctvs ui: /, 30_000)).slice("ctvs ui: ".length);
    const page = await browser.context.newPage();
    // All pages of parts loaded and drawn: the count under the last message; the count is reported.
    const counted = new Map<string, number>();
    const partsShown = (name: string, toEnd = false) => async () => {
      const shown = page.getByTestId("parts-count");
      await shown.waitFor({ timeout: 60_000 });
      await page.locator("article.message").first().waitFor();
      counted.set(name, Number((await shown.innerText()).replace(/\D/g, "")));
      // Messages are drawn as the reader scrolls: go to the end until the last one is drawn.
      while (toEnd && await page.getByTestId("more-messages").count() > 0) {
        await page.keyboard.press("End");
        await page.waitForTimeout(10);
      }
    };
    const spansShown = (n: string) => async () => {
      await page.locator(".trace-facts").getByText(new RegExp(`^${n} spans · `)).waitFor({ timeout: 60_000 });
      await page.locator(".span-row").nth(Math.min(Number(n.replace(",", "")), 30) - 1).waitFor();
    };
    const cases: [string, number, string, () => Promise<unknown>, string?, string?][] = [
      ["trace, 50 spans", 50, `#/trace/${small}`, spansShown("50")],
      ["trace, 5,000 spans", 5000, `#/trace/${big}`, spansShown("5,000"), "trace, 50 spans"],
      ["conversation, 10 turns", 0, "#/conversation/proxy/session-2", partsShown("conversation, 10 turns")],
      [
        "conversation, 500 turns",
        0,
        "#/conversation/proxy/session-1",
        partsShown("conversation, 500 turns"),
        "conversation, 10 turns",
      ],
      [
        "conversation, 500 turns, scrolled to the last part",
        0,
        "#/conversation/proxy/session-1",
        partsShown("conversation, 500 turns, scrolled to the last part", true),
        "conversation, 10 turns",
      ],
      // The last turn's tool call, past the messages drawn at first: searched on the server, loaded, drawn, in view.
      ["conversation, 10 turns, search", 0, "#/conversation/proxy/session-2", async () => {}, undefined, "src/9"],
      [
        "conversation, 500 turns, search",
        0,
        "#/conversation/proxy/session-1",
        async () => {},
        "conversation, 10 turns, search",
        "src/499",
      ],
    ];
    const results: BenchResult[] = [];
    for (const [name, rows, hash, done, baseline, query] of cases) {
      const seconds = query ? await timeSearch(page, url, hash, query) : await time(page, url, hash, done);
      const parts = counted.get(query ? name.replace(", search", "") : name);
      results.push({
        benchmark: "ui",
        case: query
          ? `conversation, ${parts!.toLocaleString("en-US")} parts, search: Enter to the last turn's match in view`
          : parts
          ? `conversation, ${parts.toLocaleString("en-US")} parts, load to ${
            name.endsWith("last part") ? "the last part drawn (scrolled)" : "first screen, all parts fetched"
          }`
          : `${name}, load to last row drawn`,
        rows: parts ?? rows,
        bytes: 0,
        seconds,
        peakRssBytes: await peakRss(ui.process.pid!),
        ...(baseline ? { baseline: baselineOf(results, baseline, counted) } : {}),
      });
    }
    return results;
  } finally {
    await browser.close();
    if (ui) {
      ui.kill("SIGTERM");
      await ui.exited;
    }
    await tmp.remove();
  }
}
