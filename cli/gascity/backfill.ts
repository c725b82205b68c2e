/**
 * `ctvs gascity backfill [<city>...] [--all] [--session <id>]... [--timeout <duration>]`: records, through the
 * supervisor's transcript route, what the live stream did not see (the history of sessions that ran before the
 * city was attached, lines lost while the collector was down past a compaction). Each session gets at most
 * `--timeout`; a progress line shows on a terminal; the summary (or, with `--format jsonl`, one object per session)
 * goes to stdout. Exit 1 when a session failed.
 *
 * @module
 */
import path from "node:path";
import type { GascityConfig } from "../../platform/config/types.ts";
import { resolveGatewayId } from "../../platform/gateway_id.ts";
import { errorMessage } from "../../platform/runtime.ts";
import { backfillSession, type SessionBackfill } from "../../server/gascity/backfill.ts";
import { isLive } from "../../server/gascity/session_roster.ts";
import { type SessionInfo, SupervisorClient } from "../../server/gascity/supervisor_client.ts";
import { templateRecorded } from "../../server/gascity/template_filter.ts";
import { MESSAGES_SIGNAL } from "../../server/gascity/types.ts";
import { JsonlSink } from "../../storage/jsonl_sink.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { parseDuration } from "../duration.ts";
import { Progress } from "../query/progress.ts";
import { UsageError } from "../usage_error.ts";
import { configFile, GASCITY_USAGE, loadGascityConfig } from "./context.ts";

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  all: { type: "boolean" },
  session: { type: "string", multiple: true, requires: "--session requires a session id" },
  timeout: { type: "string", requires: "--timeout requires a duration like 30s, 2m or 10m" },
  format: { type: "string", requires: "--format requires jsonl" },
  help: { type: "boolean", short: "h" },
} as const;

/** The default bound on one session (the original's 2 minutes). */
export const DEFAULT_TIMEOUT_MS = 120_000;

/** Runs `ctvs gascity backfill`; `progress` is injectable for tests (default: stderr when it is a terminal). */
export async function runBackfill(argv: string[], io: Io, progress = new Progress("backfilling")): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, GASCITY_USAGE, { maxPositionals: 1000 });
  if (values.help) {
    io.out(GASCITY_USAGE);
    return 0;
  }
  const timeoutMs = values.timeout === undefined ? DEFAULT_TIMEOUT_MS : parseDuration(String(values.timeout));
  if (!timeoutMs) throw new UsageError("--timeout requires a duration like 30s, 2m or 10m", GASCITY_USAGE);
  const jsonl = values.format === "jsonl";
  if (values.format !== undefined && !jsonl) throw new UsageError("--format must be jsonl", GASCITY_USAGE);
  const only = values.session as string[] | undefined;

  const { config, root } = await loadGascityConfig(configFile(values.config));
  const configured = config.gascity ?? [];
  const unknown = positionals.filter((name) => !configured.some((c) => c.name === name));
  if (unknown.length > 0) {
    io.err(`error: no city named ${unknown.join(", ")} in the config; \`ctvs gascity list\` shows the attached ones`);
    return 1;
  }
  const cities = positionals.length ? configured.filter((c) => positionals.includes(c.name)) : configured;
  if (cities.length === 0) {
    io.err("error: no city attached; attach one with `ctvs gascity attach <city-name-or-path>`");
    return 1;
  }

  const { gascitySessionRows } = await import("../../query/gascity/message_rows.ts");
  const sink = new JsonlSink({ dir: root, gatewayId: resolveGatewayId(config), fsync: "always" });
  const results: SessionBackfill[] = [];
  let failedCities = 0;
  try {
    for (const city of cities) {
      const client = new SupervisorClient(city.api_url);
      let sessions: SessionInfo[];
      try {
        sessions = chosen(city, await client.listSessions(city.name), values.all === true, only);
      } catch (error) {
        progress.clear();
        io.err(`error: ${city.name}: ${errorMessage(error)}`);
        failedCities++;
        continue;
      }
      for (const [i, info] of sessions.entries()) {
        const label = `${city.name}/${info.id} (${i + 1}/${sessions.length})`;
        progress.text(`backfilling ${label}`);
        const result = await backfillSession(info, {
          client,
          root,
          city: city.name,
          apiUrl: city.api_url,
          rows: gascitySessionRows,
          write: (rows) => sink.append(MESSAGES_SIGNAL, rows),
          timeoutMs,
          onPage: ({ pages, linesRead, totalLines }) =>
            progress.text(
              `backfilling ${label}: page ${pages}, ${linesRead.toLocaleString("en-US")}` +
                (totalLines === null ? "" : ` of ${totalLines.toLocaleString("en-US")}`) + " lines",
            ),
        });
        results.push(result);
        progress.clear();
        if (jsonl) io.out(JSON.stringify(result));
        else io.out(describe(result));
      }
      if (sessions.length === 0 && !jsonl) io.out(`${city.name}: no ${values.all ? "" : "live "}session to backfill`);
    }
  } finally {
    progress.clear();
    await sink.close();
  }
  const failed = results.filter((r) => r.outcome === "failed").length;
  const partial = results.filter((r) => r.outcome === "partial").length;
  if (!jsonl) {
    const lines = results.reduce((n, r) => n + r.lines_recorded, 0);
    const rows = results.reduce((n, r) => n + r.rows, 0);
    io.out(
      `Done. ${results.length} session(s), ${lines} line(s) recorded, ${rows} row(s)` +
        (partial ? `, ${partial} partial (raise --timeout)` : "") + (failed ? `, ${failed} failed` : "") + ".",
    );
    if (rows > 0) io.out(`Files: ${path.join(root, resolveGatewayId(config), MESSAGES_SIGNAL)}/`);
  }
  return failed > 0 || failedCities > 0 ? 1 : 0;
}

/** The sessions a backfill takes: the named ones, else the live ones (every one with `all`), by the city's filters. */
function chosen(city: GascityConfig, sessions: SessionInfo[], all: boolean, only: string[] | undefined): SessionInfo[] {
  if (only?.length) {
    return sessions.filter((s) => only.includes(s.id) || (s.alias !== undefined && only.includes(s.alias)));
  }
  return sessions.filter((s) => (all || isLive(s)) && templateRecorded(city, s.template));
}

function describe(r: SessionBackfill): string {
  const who = `${r.city}/${r.session_id}${r.template ? ` (${r.template})` : ""}`;
  if (r.outcome === "failed") return `${who}: failed: ${r.error}`;
  const read = r.total_lines === null ? `${r.lines_read} read` : `${r.lines_read} of ${r.total_lines} read`;
  const tail = r.outcome === "partial" ? `; partial: ${r.error}` : "";
  return `${who}: ${r.lines_recorded} line(s) recorded (${read}), ${r.rows} row(s), ${r.seconds} s${tail}`;
}
