/**
 * `ctvs claude-hook session-context --port <n>`: the command attach installs as a Claude Code hook. It tells the
 * proxy which cwd and git branch a session is in, so recorded exchanges carry them. It prints nothing (a
 * SessionStart hook's stdout becomes model context), never fails (exit 0 always) and gives up quickly.
 *
 * @module
 */
import process from "node:process";
import { gitBranch, parseHookInput } from "../platform/claude_code/session_context.ts";
import type { Command } from "./command.ts";
import type { Io } from "./io.ts";

const USAGE = `Usage: ctvs claude-hook session-context --port <n>

Internal: run by Claude Code hooks that \`ctvs attach\` installs. Reads the hook JSON on stdin and posts the
session's cwd and git branch to http://127.0.0.1:<port>/_collectivus/session-context. Always exits 0.`;

/** How long the whole hook may take talking to the proxy. */
export const HOOK_TIMEOUT_MS = 1_000;

/** Runs the hook with `input` (the stdin text); resolves 0 whatever happens. */
export async function runClaudeHook(
  argv: string[],
  io: Io,
  input: () => Promise<string>,
  fetcher: typeof fetch = fetch,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    io.out(USAGE);
    return 0;
  }
  try {
    const portIndex = argv.indexOf("--port");
    const port = Number(argv[portIndex + 1]);
    if (argv[0] !== "session-context" || portIndex === -1 || !Number.isInteger(port) || port < 1 || port > 65535) {
      return 0;
    }
    const hook = parseHookInput(await input());
    if (!hook) return 0;
    const branch = await gitBranch(hook.cwd).catch(() => undefined);
    const body = JSON.stringify({ ...hook, ...(branch ? { git_branch: branch } : {}) });
    const response = await fetcher(`http://127.0.0.1:${port}/_collectivus/session-context`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(HOOK_TIMEOUT_MS),
    });
    await response.body?.cancel();
  } catch {
    // The proxy may be down or slow; a hook failure must never disturb the Claude Code session.
  }
  return 0;
}

/** Reads all of stdin, at most 1 MiB. */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of process.stdin) {
    chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
    if (size > 1 << 20) break;
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The `ctvs claude-hook` command. */
export const claudeHookCommand: Command = {
  name: "claude-hook",
  summary: "internal: the Claude Code session-context hook",
  run: (argv, io) => runClaudeHook(argv, io, readStdin),
};
