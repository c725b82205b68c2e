/**
 * `ctvs ui`: serves the local web UI (conversations, usage and cost, traces, logs, metrics, SQL) on loopback with a
 * random per-start token in its URL, reading through the `ctvs query` pipeline. Runs until SIGINT or SIGTERM.
 *
 * @module
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { isLoopback } from "../server/client_address.ts";
import { UI_ASSETS } from "../server/ui/assets.gen.ts";
import { uiApp } from "../server/ui/app.ts";
import { newToken } from "../server/ui/token.ts";
import { formatAddress } from "../server/http_listener.ts";
import { errorMessage, onSignal, serve } from "../platform/runtime.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS_HELP } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { loadContext } from "./query/context.ts";
import { QUERY_FLAGS } from "./query/flags.ts";
import { uiBackend } from "./ui/backend.ts";
import { UiReader, type UiRefreshMode } from "./ui/reader.ts";
import { UsageError } from "./usage_error.ts";

const USAGE = `Usage: ctvs ui [--port <n>] [--host <address>] [--allow-remote] [--open] [options]

Serves a local web page over the recordings: conversations (text, thinking, tool calls and results, usage and cost
per turn, the raw exchange and its SSE events), usage and cost charts (the numbers of ctvs query usage), traces with a
waterfall, logs, metrics and a read-only SQL box. It prints a URL with a token made at each start; every request
needs that token. Reads go through the ctvs query cache (docs/ui.md).

  --port <n>                the port (default 0: a free one)
  --host <address>          the address to bind (default 127.0.0.1); anything but loopback needs --allow-remote
  --allow-remote            serve callers that are not on this machine (the token is still required)
  --open                    open the page in the default browser
  --refresh <mode>          auto (default: a read refreshes what changed, at most every 10 s per dataset),
                            never (read what is cached; the page's Refresh button refreshes), always
  --cache-dir <dir>         the query cache (default <sink.dir>/.collectivus-query/cache)

${CONFIG_FLAGS_HELP}`;

const FLAGS = {
  ...Object.fromEntries(
    ["config", "config-env", "config-endpoint", "default-config", "strict", "cache-dir", "refresh"].map((
      name,
    ) => [name, QUERY_FLAGS[name]]),
  ),
  "port": { type: "string" as const, requires: "--port requires a number" },
  "host": { type: "string" as const, requires: "--host requires an address" },
  "allow-remote": { type: "boolean" as const },
  "open": { type: "boolean" as const },
};

/**
 * A page that sends the browser on to `url`, in a private folder (0700, the page 0600) removed by `remove()`. The
 * browser is given the page's path rather than the URL: a command line (the opener's, and the browser's for as long
 * as it runs when it was not running yet) can be read by every user of the host, and the token is what keeps them out.
 */
function redirectPage(url: string): { file: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "ctvs-ui-"));
  const file = path.join(dir, "open.html");
  writeFileSync(
    file,
    `<!doctype html>\n<meta charset="utf-8">\n<meta http-equiv="refresh" content="0;url=${url}">\n<title>ctvs ui</title>\n` +
      `<a href="${url}">Open ctvs ui</a>\n`,
    { mode: 0o600, flag: "wx" },
  );
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Opens `target` (a file or URL) in the desktop's browser, without waiting (a failure is only reported). */
function openBrowser(target: string, io: Io): void {
  const [command, args] = process.platform === "darwin"
    ? ["open", [target]]
    : process.platform === "win32"
    ? ["cmd", ["/c", "start", "", target]]
    : ["xdg-open", [target]];
  try {
    const child = spawn(command, args, { stdio: "ignore", detached: true });
    child.on("error", (error) => io.err(`warning: could not open a browser (${error.message}); open the URL above`));
    child.unref();
  } catch (error) {
    io.err(`warning: could not open a browser (${errorMessage(error)}); open the URL above`);
  }
}

/** The `ui` command. */
export const uiCommand: Command = {
  name: "ui",
  summary: "a local web UI for conversations, usage and cost, traces, logs, metrics and SQL",
  async run(argv: string[], io: Io): Promise<number> {
    if (argv.includes("--help") || argv.includes("-h")) {
      io.out(USAGE);
      return 0;
    }
    const { values } = parseFlags(argv, FLAGS, USAGE);
    const portText = (values.port as string | undefined) ?? "0";
    const port = Number(portText);
    if (!/^\d+$/.test(portText) || port > 65535) throw new UsageError("--port must be 0 to 65535", USAGE);
    const host = (values.host as string | undefined) ?? "127.0.0.1";
    const allowRemote = values["allow-remote"] === true;
    if (!allowRemote && !isLoopback(host) && host !== "localhost") {
      throw new UsageError(
        `--host ${host} is not a loopback address; ctvs ui serves this machine only unless --allow-remote is given`,
        USAGE,
      );
    }
    const refresh = ((values.refresh as string | undefined) ?? "auto") as UiRefreshMode;
    if (!["auto", "never", "always"].includes(refresh)) {
      throw new UsageError("--refresh must be auto, never, or always", USAGE);
    }
    const cacheDir = values["cache-dir"] as string | undefined;
    const ctx = await loadContext(values, { cacheDir, scope: {} }, USAGE);
    if (!ctx.cacheEnabled) {
      io.err("error: query cache is disabled; pass --cache-dir or set query.cache.enabled: true");
      return 1;
    }
    const token = newToken();
    const app = uiApp({
      backend: uiBackend(new UiReader(ctx, refresh, io)),
      token,
      allowRemote,
      assets: UI_ASSETS,
      log: io.err,
    });
    let server;
    try {
      server = await serve({ hostname: host, port, handler: app.fetch });
    } catch (error) {
      io.err(`error: cannot listen on ${formatAddress(host, port)}: ${errorMessage(error)}`);
      return 1;
    }
    const url = `http://${formatAddress(server.hostname, server.port)}/?token=${token}`;
    io.out(`ctvs ui: ${url}`);
    io.out(`Reading ${ctx.root} (config ${ctx.configLabel}). Press Ctrl-C to stop.`);
    if (allowRemote) io.err("warning: --allow-remote: other hosts can reach this page (with the token)");
    const removers: (() => void)[] = [];
    if (values.open === true) {
      try {
        const page = redirectPage(url);
        removers.push(page.remove);
        openBrowser(page.file, io);
      } catch (error) {
        io.err(`warning: could not open a browser (${errorMessage(error)}); open the URL above`);
      }
    }
    const signal = await new Promise<string>((resolve) => {
      removers.push(onSignal("SIGINT", () => resolve("SIGINT")), onSignal("SIGTERM", () => resolve("SIGTERM")));
    });
    for (const remove of removers) remove();
    io.out(`Received ${signal}, stopping.`);
    // A download still streaming gets two seconds to finish.
    let timer;
    await Promise.race([server.shutdown(), new Promise((done) => timer = setTimeout(done, 2000))]);
    clearTimeout(timer);
    server.close();
    return 0;
  },
};
