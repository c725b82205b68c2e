/**
 * `ctvs gascity list` and `ctvs gascity status [<city>]`: the cities of the config and what the collector does
 * with each, from the status snapshot the running gascity listener rewrites every few seconds (and, when no
 * collector runs, from the cursors and journals it left).
 *
 * @module
 */
import fs from "node:fs/promises";
import path from "node:path";
import type { GascityConfig } from "../../platform/config/types.ts";
import { isAlive } from "../../platform/pid_file.ts";
import type { CityStatus } from "../../server/gascity/city_capture.ts";
import { eventCursorFile, readEventCursor } from "../../server/gascity/event_cursor.ts";
import { cityStateDir, statusFile } from "../../server/gascity/state_paths.ts";
import { readStatusSnapshot, type StatusSnapshot } from "../../server/gascity/status_snapshot.ts";
import type { Io } from "../io.ts";
import { parseFlags } from "../parse_flags.ts";
import { type Format, FORMATS } from "../query/flags.ts";
import { renderRows, type RowCell, type RowColumn } from "../query/rows.ts";
import { UsageError } from "../usage_error.ts";
import { configFile, GASCITY_USAGE, loadGascityConfig } from "./context.ts";

const FLAGS = {
  config: { type: "string", requires: "--config requires a path" },
  format: { type: "string", requires: "--format requires table, json, jsonl, markdown, or csv" },
  help: { type: "boolean", short: "h" },
} as const;

/** What is known of one configured city. */
interface CityView {
  config: GascityConfig;
  /** The listener's view, when a collector runs. */
  live: CityStatus | undefined;
  /** The event cursor on disk. */
  lastSeq: number | null;
  /** Sessions with a journal (recorded at some point). */
  sessionsRecorded: number;
}

/** `ctvs gascity list`. */
export async function runList(argv: string[], io: Io): Promise<number> {
  const { values } = parseFlags(argv, FLAGS, GASCITY_USAGE);
  if (values.help) return help(io);
  const format = formatOf(values.format);
  const { views, collector } = await load(values.config, undefined);
  if (views.length === 0 && format === "table") {
    io.out("No city attached. Attach one with: ctvs gascity attach <city-name-or-path> [--api-url <url>]");
    return 0;
  }
  const columns: RowColumn[] = [
    ["city", "VARCHAR"],
    ["api_url", "VARCHAR"],
    ["templates", "VARCHAR"],
    ["state", "VARCHAR"],
    ["live_sessions", "BIGINT"],
    ["sessions_recorded", "BIGINT"],
    ["last_seq", "BIGINT"],
  ];
  const rows = views.map((v): RowCell[] => [
    v.config.name,
    v.config.api_url,
    filters(v.config),
    v.live?.state ?? collector,
    v.live ? v.live.sessions.length : null,
    v.sessionsRecorded,
    v.live?.last_seq ?? v.lastSeq,
  ]);
  await renderRows(columns, rows, format, io);
  return 0;
}

/** `ctvs gascity status [<city>]`. */
export async function runStatus(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseFlags(argv, FLAGS, GASCITY_USAGE, { maxPositionals: 1 });
  if (values.help) return help(io);
  const format = formatOf(values.format);
  const { views, collector, snapshot } = await load(values.config, positionals[0]);
  if (views.length === 0) {
    io.err(
      positionals[0] === undefined
        ? "error: no city attached; attach one with `ctvs gascity attach <city-name-or-path>`"
        : `error: no city named ${positionals[0]} in the config; \`ctvs gascity list\` shows the attached ones`,
    );
    return 1;
  }
  if (format === "json" || format === "jsonl") {
    const objects = views.map((v) => ({
      city: v.config.name,
      api_url: v.config.api_url,
      include_templates: v.config.include_templates ?? [],
      exclude_templates: v.config.exclude_templates ?? [],
      collector,
      collector_pid: snapshot?.pid ?? null,
      updated_at: snapshot?.updated_at ?? null,
      state: v.live?.state ?? collector,
      last_seq: v.live?.last_seq ?? v.lastSeq,
      sessions_recorded: v.sessionsRecorded,
      ...(v.live ? withoutName(v.live) : {}),
    }));
    if (format === "json") io.out(JSON.stringify(objects, null, 2));
    else for (const o of objects) io.out(JSON.stringify(o));
    return 0;
  }
  io.out(
    collector === "running"
      ? `Collector running (pid ${snapshot!.pid}), status as of ${snapshot!.updated_at}`
      : "Collector not running: the state below is what it recorded last.",
  );
  await renderRows(
    [
      ["city", "VARCHAR"],
      ["state", "VARCHAR"],
      ["last_seq", "BIGINT"],
      ["last_event_at", "VARCHAR"],
      ["events", "BIGINT"],
      ["reconnects", "BIGINT"],
      ["malformed_frames", "BIGINT"],
      ["malformed_lines", "BIGINT"],
      ["last_error", "VARCHAR"],
    ],
    views.map((v) => [
      v.config.name,
      v.live?.state ?? collector,
      v.live?.last_seq ?? v.lastSeq,
      v.live?.last_event_at ?? null,
      v.live?.events ?? null,
      v.live?.reconnects ?? null,
      v.live?.malformed_frames ?? null,
      v.live?.malformed_lines ?? null,
      v.live?.last_error ?? null,
    ]),
    format,
    io,
  );
  const sessions = views.flatMap((v) => (v.live?.sessions ?? []).map((s) => ({ city: v.config.name, ...s })));
  if (collector !== "running") return 0;
  io.out("");
  await renderRows(
    [
      ["city", "VARCHAR"],
      ["session", "VARCHAR"],
      ["template", "VARCHAR"],
      ["rig", "VARCHAR"],
      ["alias", "VARCHAR"],
      ["state", "VARCHAR"],
      ["activity", "VARCHAR"],
      ["lines", "BIGINT"],
      ["rows", "BIGINT"],
      ["last_line_at", "VARCHAR"],
      ["reconnects", "BIGINT"],
      ["malformed_frames", "BIGINT"],
      ["last_error", "VARCHAR"],
    ],
    sessions.map((s) => [
      s.city,
      s.session_id,
      s.template,
      s.rig,
      s.alias,
      s.state,
      s.activity,
      s.lines,
      s.rows,
      s.last_line_at,
      s.reconnects,
      s.malformed_frames,
      s.last_error,
    ]),
    format,
    io,
  );
  return 0;
}

/** The configured cities (all, or the one named) with what the snapshot and the state files say. */
async function load(configValue: unknown, only: string | undefined) {
  const { config, root } = await loadGascityConfig(configFile(configValue));
  const snapshot = await readStatusSnapshot(statusFile(root));
  const running = snapshot !== undefined && snapshot.running && isAlive(snapshot.pid);
  const collector = running ? "running" : "not running";
  const cities = (config.gascity ?? []).filter((c) => only === undefined || c.name === only);
  const views: CityView[] = [];
  for (const city of cities) {
    const live = running ? snapshot.cities.find((c) => c.name === city.name) : undefined;
    const cursor = await readEventCursor(eventCursorFile(root, city.name), city.api_url);
    views.push({
      config: city,
      live,
      lastSeq: cursor?.last_seq ?? null,
      sessionsRecorded: await countJournals(path.join(cityStateDir(root, city.name), "sessions")),
    });
  }
  return { views, collector, snapshot: running ? snapshot as StatusSnapshot : undefined };
}

async function countJournals(dir: string): Promise<number> {
  try {
    return (await fs.readdir(dir)).filter((f) => f.endsWith(".jsonl")).length;
  } catch {
    return 0;
  }
}

function filters(city: GascityConfig): string {
  const parts = [];
  if (city.include_templates?.length) parts.push(`only ${city.include_templates.join(", ")}`);
  if (city.exclude_templates?.length) parts.push(`not ${city.exclude_templates.join(", ")}`);
  return parts.length ? parts.join("; ") : "all";
}

function withoutName(status: CityStatus): Omit<CityStatus, "name" | "api_url" | "state" | "last_seq"> {
  const { name: _n, api_url: _u, state: _s, last_seq: _l, ...rest } = status;
  return rest;
}

function formatOf(value: unknown): Format {
  const format = (value as string | undefined) ?? "table";
  if (!(FORMATS as readonly string[]).includes(format)) {
    throw new UsageError("--format must be table, json, jsonl, markdown, or csv", GASCITY_USAGE);
  }
  return format as Format;
}

function help(io: Io): number {
  io.out(GASCITY_USAGE);
  return 0;
}
