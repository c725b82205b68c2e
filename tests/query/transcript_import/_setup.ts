/**
 * A scratch copy of the recorded transcripts (`tests/fixtures/transcripts/`) to import from, and readers of what an
 * import wrote.
 *
 * @module
 */
import { cp, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { FIXTURES } from "../../e2e/transcripts_record.ts";
import { CLAUDE_FILE, CODEX_FILE } from "../transcript_rows/_recorded.ts";

/** A scratch directory with the recorded transcripts and an empty recording root. */
export interface Scratch {
  dir: string;
  /** The recording root (`sink.dir`). */
  root: string;
  /** Claude Code's projects directory and the transcript in it. */
  claude: string;
  claudeFile: string;
  /** Codex's home and the rollout in it. */
  codex: string;
  codexFile: string;
  remove(): Promise<void>;
}

/** Copies the recorded transcripts into a new scratch directory. */
export async function scratch(): Promise<Scratch> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "ctvs-import-"));
  const claude = path.join(dir, "claude", "projects");
  const codex = path.join(dir, "codex");
  await cp(path.join(FIXTURES, "claude", "projects"), claude, { recursive: true });
  await cp(path.join(FIXTURES, "codex", "sessions"), path.join(codex, "sessions"), { recursive: true });
  return {
    dir,
    root: path.join(dir, "data"),
    claude,
    claudeFile: path.join(claude, path.relative(path.join(FIXTURES, "claude", "projects"), CLAUDE_FILE)),
    codex,
    codexFile: path.join(codex, "sessions", path.relative(path.join(FIXTURES, "codex", "sessions"), CODEX_FILE)),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The rows of every day file of `signal` under `<root>/<gw>/`, by file name, in file order. */
export async function written(root: string, gatewayId: string, signal: string): Promise<Record<string, string[]>> {
  const dir = path.join(root, gatewayId, signal);
  const out: Record<string, string[]> = {};
  const names = await readdir(dir).catch(() => [] as string[]);
  for (const name of names.filter((n) => /^\d{4}-\d{2}-\d{2}\.jsonl$/.test(n)).sort()) {
    out[name] = (await readFile(path.join(dir, name), "utf8")).split("\n").filter(Boolean);
  }
  return out;
}

/** Every row of `signal`, parsed, in file order. */
export async function rowsOf(root: string, gatewayId: string, signal: string): Promise<Record<string, unknown>[]> {
  return Object.values(await written(root, gatewayId, signal)).flat().map((l) => JSON.parse(l));
}
