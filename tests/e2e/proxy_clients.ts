/**
 * The real Claude Code and Codex CLIs for the end-to-end tests, installed with npm into the git-ignored
 * `.tmp/clients/` (their install steps place native binaries, which Deno's npm resolution would skip). Idempotent:
 * an install that is already there is reused.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { ROOT, runToEnd } from "../helpers/child.ts";

/** Where the CLIs are installed. */
export const CLIENTS_DIR = path.join(ROOT, ".tmp", "clients");

/** The CLI binaries. */
export interface Clients {
  claude: string;
  codex: string;
}

/** Installs `@anthropic-ai/claude-code` and `@openai/codex` unless present; returns their binaries. */
export async function ensureClients(): Promise<Clients> {
  const bin = path.join(CLIENTS_DIR, "node_modules", ".bin");
  const clients = { claude: path.join(bin, "claude"), codex: path.join(bin, "codex") };
  if (existsSync(clients.claude) && existsSync(clients.codex)) return clients;
  await mkdir(CLIENTS_DIR, { recursive: true });
  await writeFile(path.join(CLIENTS_DIR, "package.json"), '{ "private": true }\n');
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = await runToEnd(npm, [
    "install",
    "--no-audit",
    "--no-fund",
    "--loglevel=error",
    "@anthropic-ai/claude-code",
    "@openai/codex",
  ], { cwd: CLIENTS_DIR });
  if (result.code !== 0) throw new Error(`Cannot install the Claude Code and Codex CLIs:\n${result.stderr}`);
  return clients;
}
