/**
 * The transcripts the real Claude Code and Codex CLIs wrote in `tests/e2e/transcripts_record.ts`, kept in
 * `tests/fixtures/transcripts/`, read as parsed lines, and a helper that runs a normalizer over lines.
 *
 * @module
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { NormalizedLine, TranscriptNormalizer } from "../../../query/transcript_rows/mod.ts";
import { FIXTURES } from "../../e2e/transcripts_record.ts";

// deno-lint-ignore no-explicit-any
export type Line = Record<string, any>;

function only(dir: string, suffix: string): string {
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => f.endsWith(suffix));
  if (files.length !== 1) throw new Error(`expected one ${suffix} under ${dir}, found ${files.length}`);
  return path.join(dir, files[0]);
}

/** The recorded Claude Code transcript's path. */
export const CLAUDE_FILE = only(path.join(FIXTURES, "claude", "projects"), ".jsonl");
/** The recorded Codex rollout's path. */
export const CODEX_FILE = only(path.join(FIXTURES, "codex", "sessions"), ".jsonl");
/** The proxy's day file of the same turns. */
export const PROXY_FILE = only(path.join(FIXTURES, "proxy"), ".jsonl");

/** The parsed lines of a recorded file. */
export function lines(file: string): Line[] {
  return readFileSync(file, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** Every row a normalizer makes of `input`, in order. */
export function normalize(normalizer: TranscriptNormalizer, input: Line[]): NormalizedLine {
  const out: NormalizedLine = { parts: [], usage: [], recognized: true };
  for (const line of input) {
    const r = normalizer.line(line);
    out.parts.push(...r.parts);
    out.usage.push(...r.usage);
  }
  return out;
}
