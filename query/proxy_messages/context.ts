/**
 * Where and by what an exchange was made: `cwd`, `git_branch`, the client version and `conversation_source`, from
 * the hook context recorded on the exchange row, then the request body, then a Claude Code transcript entry
 * (reference §6.1 step 4).
 *
 * @module
 */
import { parsedUserId } from "./anthropic_turn.ts";

// deno-lint-ignore no-explicit-any
type Json = any;

/** What a Claude Code transcript says about a session near a time. */
export interface TranscriptEntry {
  cwd?: string;
  git_branch?: string;
  version?: string;
}

/** The context columns of an exchange. */
export interface ExchangeContext {
  cwd: string | null;
  git_branch: string | null;
  client_version: string | null;
  conversation_source: string;
}

function first(...values: unknown[]): string | null {
  for (const v of values) if (typeof v === "string" && v !== "") return v;
  return null;
}

/**
 * Resolves the context of `exchange` whose request body is `body`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * const ctx = contextOf({ cwd: "/r", client: { user_agent: "claude-cli/2.1.0 (external, cli)" } }, {});
 * assert.deepEqual(ctx, { cwd: "/r", git_branch: null, client_version: "2.1.0", conversation_source: "claude_code" });
 * ```
 */
export function contextOf(exchange: Json, body: Json, transcript?: TranscriptEntry): ExchangeContext {
  const metadata = body?.metadata;
  const user = parsedUserId(metadata);
  const agent = typeof exchange.client?.user_agent === "string" ? exchange.client.user_agent : "";
  const claude = /^claude-cli\/([^/\s]+)/.exec(agent);
  const codex = /^codex[\w-]*\/([^/\s]+)/.exec(agent);
  return {
    cwd: first(exchange.cwd, body?.cwd, metadata?.cwd, user?.cwd, transcript?.cwd),
    git_branch: first(
      exchange.git_branch,
      exchange.gitBranch,
      body?.git_branch,
      body?.gitBranch,
      metadata?.git_branch,
      metadata?.gitBranch,
      user?.git_branch,
      user?.gitBranch,
      transcript?.git_branch,
    ),
    client_version: first(exchange.claude_version, transcript?.version, claude?.[1], codex?.[1]),
    conversation_source: claude ? "claude_code" : codex ? "codex" : "api",
  };
}
