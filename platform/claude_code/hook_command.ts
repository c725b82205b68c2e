/**
 * The session-context hook command that attach installs into Claude Code, and how to recognize it again.
 *
 * @module
 */

/** Matches a managed handler's command, whatever program path it starts with. */
export const MANAGED_HOOK = /\bclaude-hook\s+session-context\b/;

/** Quotes one shell word with `'...'` unless it is made only of safe characters. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The hook command line: `<program...> claude-hook session-context --port <port>`.
 *
 * @param program The argv that starts ctvs (a binary, or a runtime plus a script).
 * @param port The proxy port.
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(hookCommand(["/usr/bin/ctvs"], 8787), "/usr/bin/ctvs claude-hook session-context --port 8787");
 * ```
 */
export function hookCommand(program: readonly string[], port: number): string {
  return [...program.map(shellQuote), "claude-hook", "session-context", "--port", String(port)].join(" ");
}
