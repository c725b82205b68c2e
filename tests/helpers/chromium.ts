/**
 * Debian's Chromium, headless, driven by `playwright-core` (which downloads no browser of its own): a fresh profile
 * per launch, the flags that work on these machines (no sandbox as root, no GPU, and no background networking, whose
 * connections this machine's closed network refuses), and where the screenshots of a run go.
 *
 * @module
 */
import { existsSync } from "node:fs";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { type BrowserContext, chromium, type Page } from "playwright-core";
import { type Child, ROOT, startCtvs, tempDir } from "./child.ts";

/** Debian's `chromium` package puts it here (`.ci/run` installs it). */
export const CHROMIUM = "/usr/bin/chromium";

/** The flags Chromium starts with. */
export const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Where screenshots go: `$CTVS_SCREENSHOT_DIR` (`.ci/run` sets it beside its test log), else `.tmp/ui-screenshots/`
 * (git-ignored).
 */
export function screenshotDir(): string {
  return process.env.CTVS_SCREENSHOT_DIR ?? path.join(ROOT, ".tmp", "ui-screenshots");
}

/** A running headless Chromium. */
export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Starts Chromium with a fresh profile; throws saying why when it cannot. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM}: the browser tests need Debian's chromium package ` +
        "(apt-get install chromium; .ci/run installs it)",
    );
  }
  const profile = await tempDir("ctvs-chromium-");
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile.dir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_FLAGS,
      viewport: { width: 1400, height: 900 },
      acceptDownloads: true,
      timeout: 60_000,
    });
  } catch (error) {
    await profile.remove();
    throw new Error(`Chromium (${CHROMIUM}) did not start: ${(error as Error).message}`);
  }
  await fs.mkdir(screenshotDir(), { recursive: true });
  return {
    context,
    async close() {
      await context.close();
      await profile.remove();
    },
  };
}

/** A `ctvs ui` started for a browser test, and a page of `browser` that records its script errors. */
export interface OpenedUi {
  child: Child;
  /** The page's address, with its token. */
  url: string;
  page: Page;
  /** Script errors and failed requests the page reported (a test ends by asserting there are none). */
  errors: string[];
}

/** Starts `ctvs ui <args>`, waits for its address and opens a page that collects its errors. */
export async function openUi(browser: Browser, args: string[]): Promise<OpenedUi> {
  const child = startCtvs(["ui", ...args]);
  const line = await child.waitFor(/^ctvs ui: http:\/\/127\.0\.0\.1:\d+\/\?token=/, 30_000);
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  return { child, url: line.slice("ctvs ui: ".length), page, errors };
}
