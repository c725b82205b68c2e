/**
 * What the `ctvs gascity` subcommands share: the usage text, the `--config` flag (a file: attach and detach edit it),
 * and loading the config with its recording root, where the capture keeps its state.
 *
 * @module
 */
import path from "node:path";
import { loadConfig } from "../../platform/config/load.ts";
import type { Config } from "../../platform/config/types.ts";
import { defaultConfigPath, expandHome } from "../../platform/paths.ts";
import { recordingRoot } from "../../platform/config/recording_root.ts";

/** The usage of the whole group. */
export const GASCITY_USAGE =
  `Usage: ctvs gascity attach <city-name-or-path> [--api-url <url>] [--include-template <t>]...
                           [--exclude-template <t>]... [--config <path>] [--pid-file <path>]
       ctvs gascity detach <city-name> [--config <path>] [--pid-file <path>]
       ctvs gascity list [--config <path>] [--format <f>]
       ctvs gascity status [<city-name>] [--config <path>] [--format <f>]
       ctvs gascity backfill [<city-name>...] [--all] [--session <id>]... [--timeout <duration>]
                             [--config <path>] [--format jsonl]

Records Gas City supervisors: every agent session's transcript as gascity_messages (one row per content block,
with the agent's template, rig and alias, tokens and cost) and the city events as gascity_events.

  attach     add a city to the config (by name, or the path of its directory with city.toml) and tell the
             running collector to reload
  detach     remove a city from the config and reload
  list       the cities of the config and what the collector is doing with each
  status     per city: connection, event cursor, sessions recorded, counters, last error
  backfill   record what the live stream did not see: the transcripts of the live sessions (with --all, of every
             session the supervisor knows), through the supervisor's transcript route, at most --timeout per session

Options:
  --config <path>            the config file (default: ~/.hyp/collectivus.json)
  --api-url <url>            attach: the supervisor API (default: the one ~/.gc/supervisor.toml names, else
                             http://127.0.0.1:8372)
  --include-template <t>     attach: record only sessions of this agent template (repeatable; a trailing * matches a
                             prefix)
  --exclude-template <t>     attach: skip sessions of this template (repeatable)
  --pid-file <path>          the running collector to reload (default: ~/.collectivus/runtime/collectivus.pid)
  --all                      backfill: every session, closed ones included, not only the live ones
  --session <id>             backfill: only this session (repeatable)
  --timeout <duration>       backfill: the most time spent on one session (default 2m; e.g. 30s, 5m)
  --format <f>               list, status: table (default), json, jsonl, markdown, csv; backfill: jsonl prints one
                             JSON object per session instead of the summary
  -h, --help                 show this help

Docs: docs/gascity.md`;

/** The config file a subcommand works on: `--config`, else the default file. */
export function configFile(value: unknown): string {
  return path.resolve(expandHome(typeof value === "string" ? value : defaultConfigPath()));
}

/** The config in `file` and its recording root (where `.gascity/` is). */
export async function loadGascityConfig(file: string): Promise<{ config: Config; root: string }> {
  const { config } = await loadConfig({ kind: "file", path: file });
  return { config, root: recordingRoot(config) };
}
