/**
 * `ctvs import claude|codex|all`: the history Claude Code and Codex kept on disk before (or beside) the proxy, copied
 * into the recordings as `transcript_messages` and `transcript_requests` rows, incrementally (see
 * `query/transcript_import/import.ts`). Load (config, root, gateway) → import → render (text, or JSON for scripts).
 *
 * @module
 */
import process from "node:process";
import { loadConfig } from "../platform/config/load.ts";
import { resolveGatewayId } from "../platform/gateway_id.ts";
import { errorMessage } from "../platform/runtime.ts";
import {
  type ImportIssue,
  type ImportOptions,
  type ImportSummary,
  importTranscripts,
  type SourceSummary,
} from "../query/transcript_import/import.ts";
import type { TranscriptSource } from "../query/transcript_rows/mod.ts";
import { useClaudeTranscripts } from "../query/transcripts.ts";
import type { Command } from "./command.ts";
import { CONFIG_FLAGS, CONFIG_FLAGS_HELP, configSourceFrom } from "./config_flags.ts";
import type { Io } from "./io.ts";
import { parseFlags } from "./parse_flags.ts";
import { recordingRoot } from "../platform/config/recording_root.ts";
import { parseDuration } from "./duration.ts";
import { Progress } from "./query/progress.ts";
import { UsageError } from "./usage_error.ts";

/** Help for `ctvs import`. */
export const IMPORT_USAGE = `Usage: ctvs import claude|codex|all [--since <date>] [--path <dir>] [--format text|json]

Imports the transcripts Claude Code (~/.claude/projects, or $CLAUDE_CONFIG_DIR/projects) and Codex
(~/.codex/sessions and archived_sessions, or $CODEX_HOME) keep on disk into the recordings, so their usage, cost
and conversations can be queried beside what the proxy recorded:

  ctvs query usage --source all       tokens and cost, a request both saw counted once (the proxy's record)
  ctvs query sql "select * from transcript_messages limit 10"

Incremental: each file is read from where the last import stopped, so running it again adds only what is new; a
last line still being written waits for the next run; a malformed line is reported and skipped.

  --since <date>            only lines from this UTC day on: YYYYMMDD, YYYY-MM-DD, or a duration like 30d
                            (a later import without it adds the earlier days)
  --path <dir>              read this directory instead (with claude or codex): a Claude config or projects
                            directory, a Codex home or sessions directory
  --format <f>              text (default) or json (a summary object on stdout)
  -h, --help                this help

${CONFIG_FLAGS_HELP}`;

const FLAGS = {
  ...CONFIG_FLAGS,
  "help": { type: "boolean", short: "h" },
  "since": { type: "string", requires: "--since requires a date (YYYYMMDD, YYYY-MM-DD) or a duration like 30d" },
  "path": { type: "string", requires: "--path requires a directory" },
  "format": { type: "string", requires: "--format requires text or json" },
} as const;

const SOURCES: Record<string, TranscriptSource[]> = {
  claude: ["claude_code"],
  codex: ["codex"],
  all: ["claude_code", "codex"],
};

/** Warnings of one kind printed before they are only counted. */
const SHOWN_ISSUES = 10;

/**
 * The UTC day `--since` names: a date, or a duration back from `now`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * assert.equal(sinceDay("20250301", 0), "2025-03-01");
 * assert.equal(sinceDay("2d", Date.parse("2025-03-03T12:00:00Z")), "2025-03-01");
 * assert.equal(sinceDay("soon", 0), undefined);
 * ```
 */
export function sinceDay(text: string, now = Date.now()): string | undefined {
  const day = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (day) {
    const date = `${day[1]}-${day[2]}-${day[3]}`;
    return Number.isNaN(Date.parse(`${date}T00:00:00Z`)) ? undefined : date;
  }
  const ms = parseDuration(text);
  return ms === undefined ? undefined : new Date(now - ms).toISOString().slice(0, 10);
}

const LABEL: Record<TranscriptSource, string> = { claude_code: "Claude Code", codex: "Codex" };

function plural(n: number, word: string): string {
  return `${n.toLocaleString("en-US")} ${word}${n === 1 ? "" : "s"}`;
}

function sourceLine(source: TranscriptSource, s: SourceSummary): string {
  const skipped = [
    s.malformed ? `${plural(s.malformed, "malformed line")} skipped` : "",
    s.oversized ? `${plural(s.oversized, "line")} over 32 MiB skipped` : "",
    s.changed ? `${plural(s.changed, "file")} changed since imported, left alone` : "",
  ].filter(Boolean);
  return `${LABEL[source]}: ${plural(s.files, "transcript")}, ${s.read} with new lines: ` +
    `${plural(s.lines, "line")} (${(s.bytes / 1e6).toFixed(1)} MB) → ${plural(s.parts, "message part")}, ` +
    `${plural(s.usage, "usage record")}${skipped.length ? `; ${skipped.join(", ")}` : ""}`;
}

/** The text summary of an import. */
export function renderSummary(summary: ImportSummary): string[] {
  const lines: string[] = [];
  for (const [source, s] of Object.entries(summary.sources) as [TranscriptSource, SourceSummary][]) {
    if (s.files === 0) {
      const dirs = summary.roots.filter((r) => r.source === source).map((r) => r.dir).join(", ");
      lines.push(`${LABEL[source]}: no transcripts found in ${dirs || "(no directory)"}`);
    } else lines.push(sourceLine(source, s));
  }
  if (summary.compressed) lines.push(`${plural(summary.compressed, "compressed rollout")} (.jsonl.zst) not read`);
  if (summary.rolledBack) lines.push(`Cut back ${plural(summary.rolledBack, "day file")} an interrupted import left`);
  const added = Object.values(summary.sources).reduce((n, s) => n + s!.parts + s!.usage, 0);
  lines.push(
    added > 0
      ? "Query it: ctvs query usage --source all, or ctvs query sql over transcript_messages and transcript_requests"
      : "Nothing new to import.",
  );
  return lines;
}

/** Prints the first few issues of each kind on stderr. */
function issuePrinter(io: Io, progress: Progress): (issue: ImportIssue) => void {
  const seen: Record<string, number> = {};
  return (issue) => {
    const n = seen[issue.kind] = (seen[issue.kind] ?? 0) + 1;
    if (n > SHOWN_ISSUES) return;
    progress.clear();
    const where = issue.line === undefined ? issue.path : `${issue.path}:${issue.line}`;
    const what = issue.kind === "malformed"
      ? "skipping malformed JSONL line"
      : issue.kind === "oversized"
      ? "skipping a line over 32 MiB"
      : issue.kind === "changed"
      ? "not importing"
      : "not reading";
    io.err(
      `[collectivus] ${what} ${where}: ${issue.reason}${n === SHOWN_ISSUES ? " (further ones only counted)" : ""}`,
    );
  };
}

/** Imports with a progress line on a terminal and the issues on stderr; resolves with the summary. */
export async function importWithProgress(
  options: Omit<ImportOptions, "onIssue" | "onProgress">,
  io: Io,
  label: string,
): Promise<ImportSummary> {
  const progress = new Progress("importing");
  let shownAt = 0;
  try {
    return await importTranscripts({
      ...options,
      onIssue: issuePrinter(io, progress),
      onProgress: (p) => {
        const now = Date.now();
        if (now - shownAt < 100 && p.bytes < p.totalBytes) return;
        shownAt = now;
        const percent = p.totalBytes ? ` ${Math.floor((100 * p.bytes) / p.totalBytes)}%` : "";
        progress.show({ label: `${label}${percent}`, rows: p.rows, bytes: p.bytes });
      },
    });
  } finally {
    progress.clear();
  }
}

/** Runs `ctvs import`. */
export async function runImport(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, IMPORT_USAGE, { maxPositionals: 1 });
  if (values.help) {
    io.out(IMPORT_USAGE);
    return 0;
  }
  const which = positionals[0];
  if (which === undefined) throw new UsageError("which transcripts? claude, codex, or all", IMPORT_USAGE);
  const sources = SOURCES[which];
  if (!sources) throw new UsageError(`unknown source: ${which} (claude, codex, all)`, IMPORT_USAGE);
  const format = (values.format as string | undefined) ?? "text";
  if (format !== "text" && format !== "json") throw new UsageError("--format must be text or json", IMPORT_USAGE);
  if (values.path !== undefined && which === "all") {
    throw new UsageError("--path reads one client's directory: use it with claude or codex", IMPORT_USAGE);
  }
  let since: string | undefined;
  if (values.since !== undefined) {
    since = sinceDay(values.since as string);
    if (!since) {
      throw new UsageError("--since requires a date (YYYYMMDD, YYYY-MM-DD) or a duration like 30d", IMPORT_USAGE);
    }
  }
  const { config } = await loadConfig(configSourceFrom(values, IMPORT_USAGE), { strict: values.strict === true });
  useClaudeTranscripts(config.query?.claude_transcripts_dir);
  const root = recordingRoot(config);
  const started = Date.now();
  let summary: ImportSummary;
  try {
    summary = await importWithProgress(
      {
        root,
        gatewayId: resolveGatewayId(config),
        sources,
        path: values.path as string | undefined,
        since,
        env: process.env,
      },
      io,
      which,
    );
  } catch (error) {
    io.err(`error: ${errorMessage(error)}`);
    return 1;
  }
  if (values.path !== undefined && Object.values(summary.sources).every((s) => s!.files === 0)) {
    io.err(`error: no transcripts found in ${values.path}`);
    return 1;
  }
  if (format === "json") {
    io.out(JSON.stringify({ root, ...summary, seconds: (Date.now() - started) / 1000 }));
  } else for (const line of renderSummary(summary)) io.out(line);
  return 0;
}

/** The `ctvs import` command. */
export const importCommand: Command = {
  name: "import",
  summary: "import Claude Code and Codex history (usage, cost, conversations) from their transcripts",
  run: runImport,
};
