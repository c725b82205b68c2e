/**
 * The real Claude Code and Codex CLIs for the end-to-end tests, installed with npm into the git-ignored
 * `.tmp/clients/` (their install steps place native binaries, which Deno's npm resolution would skip), through the
 * one shared installer so that parallel test files never run two npm installs into the same folder.
 *
 * @module
 */
import { npmClient } from "../helpers/npm_clients.ts";

/** The CLI binaries. */
export interface Clients {
  claude: string;
  codex: string;
}

/** The installed Claude Code and Codex CLIs (installed once, under a lock, by `tests/helpers/npm_clients.ts`). */
export async function ensureClients(): Promise<Clients> {
  return { claude: await npmClient("claude"), codex: await npmClient("codex") };
}
