/**
 * The bundled agent skills, generated from `skills/**` by `platform/skills/generate_bundled.ts`: edit the files
 * there and rerun it (a test checks the two agree).
 *
 * @module
 */

/** One bundled skill: its directory name, the clients it is for, and its files by relative path. */
export interface BundledSkill {
  name: string;
  clients: readonly ("claude" | "codex")[];
  files: Readonly<Record<string, string>>;
}

/** Every bundled skill. */
export const BUNDLED_SKILLS: readonly BundledSkill[] = [
  {
    "name": "collectivus-query",
    "clients": [
      "claude",
      "codex",
    ],
    "files": {
      "SKILL.md":
        "---\nname: collectivus-query\ndescription: Answer questions about recorded AI-agent sessions, LLM calls, traces, logs and metrics by querying local collectivus recordings with `ctvs query`. Use when the user asks what an agent did, which models or tools were used, token usage, errors, slow spans, or anything \"in the logs\", \"in the traces\" or \"in the recordings\".\n---\n\n# Querying collectivus recordings\n\ncollectivus (`ctvs`) records LLM proxy traffic and OpenTelemetry data as JSONL files under the sink directory (default\n`~/.hyp/collectivus/<gateway_id>/<signal>/<YYYY-MM-DD>.jsonl`). `ctvs query` runs read-only DuckDB SQL over them through\nan incremental cache; it refreshes what changed before each query.\n\n## Datasets\n\n- `logs`, one row per log record: `timestamp`, `severityText`, `severityNumber`, `serviceName`, `body` (JSON),\n  `traceId`, `spanId`, `attributes` (JSON).\n- `traces`, one row per span: `startTimestamp`, `durationMs`, `serviceName`, `name`, `traceId`, `spanId`,\n  `parentSpanId`, `status` (JSON), `attributes` (JSON).\n- `metrics`, one row per data point: `timestamp`, `serviceName`, `metricName`, `metricType`, `value`, `valueInt`,\n  `count`, `sum`, `attributes` (JSON).\n- `proxy_messages`, one row per message part of a proxied LLM conversation: `conversation_id`, `cwd`, `git_branch`,\n  `model`, `role`, `part_type`, `content_text`, `tool_name`, `tool_args` (JSON), `message_created_at`, `attributes`\n  (JSON, token usage under `$.usage`).\n\nEvery dataset also has `gateway_id` and `date` (the UTC day of the file). `ctvs query sql` is always available;\n`proxy_messages` and the shortcut commands arrive as the query engine grows: run `ctvs query --help` to see what this\ninstallation has, and `ctvs query <command> --help` for options.\n\n## Running a query\n\n```sh\nctvs query sql \"SELECT serviceName, count(*) AS n FROM logs GROUP BY serviceName ORDER BY n DESC\"\n```\n\n- Only one `SELECT` (or `WITH ... SELECT`) is allowed; writes, `ATTACH`, `INSTALL`, `SET` and reading other files are\n  refused (exit 2).\n- Quote the whole statement in double quotes and string literals in single quotes (`'it''s'` escapes a quote).\n- JSON columns are read with `JSON_VALUE(col, '$.path')` (a string) or `col->>'$.path'`; numbers need a cast:\n  `CAST(JSON_VALUE(attributes, '$.usage.output_tokens') AS BIGINT)`.\n- Narrow the scan with the shared flags instead of `WHERE` on dates: `--since 2h`, `--from`/`--to`, `--date YYYY-MM-DD`,\n  `--gateway-id <id>`, `--service <name>`, `--limit <n>`.\n- `--config <path>` picks another config (default `~/.hyp/collectivus.json`).\n\n## Output formats\n\n`--format table|json|jsonl|markdown|csv`:\n\n- `--format table` (default): at most 100 rows, for people.\n- `--format json`: one array, JSON columns nested as objects.\n- `--format jsonl`: one object a line, streams every row; best for your own analysis or piping to `jq`.\n- `--format markdown`: for answers you paste back to the user.\n- `--format csv`: for spreadsheets.\n\n## Examples\n\n```sh\n# What failed in the last hour?\nctvs query sql \"SELECT timestamp, serviceName, JSON_VALUE(body, '$') AS message FROM logs WHERE severityNumber >= 17 ORDER BY timestamp DESC\" --since 1h\n\n# The slowest spans today\nctvs query sql \"SELECT name, serviceName, durationMs, traceId FROM traces ORDER BY durationMs DESC LIMIT 10\" --date $(date -u +%F) --format markdown\n\n# Spans that ended in error (status.code 2)\nctvs query sql \"SELECT name, JSON_VALUE(status, '$.message') AS why FROM traces WHERE JSON_VALUE(status, '$.code') = '2'\" --since 1d\n\n# One trace, in order\nctvs query sql \"SELECT startTimestamp, name, durationMs FROM traces WHERE traceId = '<trace-id>' ORDER BY startTimestamp\" --format jsonl\n\n# Which metrics exist, and the latest value of one\nctvs query sql \"SELECT metricName, count(*) AS points FROM metrics GROUP BY metricName ORDER BY points DESC\"\nctvs query sql \"SELECT timestamp, value, valueInt FROM metrics WHERE metricName = 'claude_code.token.usage' ORDER BY timestamp DESC LIMIT 5\"\n\n# Tokens by model from proxied conversations\nctvs query sql \"SELECT model, sum(CAST(JSON_VALUE(attributes, '$.usage.output_tokens') AS BIGINT)) AS output_tokens FROM proxy_messages WHERE role = 'assistant' GROUP BY model\" --since 7d\n\n# Tools an agent called in one repository\nctvs query sql \"SELECT tool_name, count(*) AS calls FROM proxy_messages WHERE part_type = 'tool_call' AND cwd LIKE '%/my-repo%' GROUP BY tool_name ORDER BY calls DESC\"\n```\n\n## How to answer\n\n1. Pick the dataset, then run a small query first (`--limit 5 --format jsonl`) to see real values before aggregating.\n2. If a query fails with a missing or stale cache error, run the command it prints, then retry.\n3. Answer with the numbers you found and the query you ran, so the user can rerun it.\n",
      "agents/openai.yaml":
        'interface:\n  display_name: "collectivus query"\n  short_description: "Answer questions from local collectivus recordings with ctvs query"\n  default_prompt: "Use ctvs query to find out what my agents did today."\npolicy:\n  allow_implicit_invocation: true\n',
    },
  },
  {
    "name": "ctvs-ignore",
    "clients": [
      "claude",
    ],
    "files": {
      "SKILL.md":
        '---\nname: ctvs-ignore\ndescription: Stop collectivus from recording the current Claude Code session (and, if asked, every session in this directory). Use when the user types /ctvs-ignore or asks not to record, log or capture this conversation.\ndisable-model-invocation: true\n---\n\n# Stop recording this session\n\ncollectivus records Claude Code traffic through its local proxy. Stop recording the current session:\n\n```sh\ncurl -sS -X POST "${ANTHROPIC_BASE_URL:-http://127.0.0.1:8787}/_collectivus/ignore/session" \\\n  -H \'content-type: application/json\' \\\n  -d "{\\"session_id\\":\\"$CLAUDE_CODE_SESSION_ID\\"}"\n```\n\nA reply of `{"ok":true,...}` means nothing more from this session is written. The ignore list lives in the proxy\'s\nmemory, so it lasts until the collector restarts.\n\nIf the user wants this directory never recorded, in this session or any later one, also run:\n\n```sh\nctvs ignore add "$PWD"\n```\n\nwhich adds the directory to `ignored_paths` in `~/.hyp/collectivus.json` (`ctvs ignore list` shows the list). A\n`.ctvsignore` file in a directory works too.\n\nTell the user in one line what was ignored. If `curl` cannot connect, the proxy is not running, so nothing is being\nrecorded anyway.\n',
    },
  },
  {
    "name": "ctvs-unignore",
    "clients": [
      "claude",
    ],
    "files": {
      "SKILL.md":
        '---\nname: ctvs-unignore\ndescription: Resume collectivus recording for the current Claude Code session (and, if asked, for this directory). Use when the user types /ctvs-unignore or asks to start recording this conversation again.\ndisable-model-invocation: true\n---\n\n# Resume recording this session\n\nTake the current session off the proxy\'s ignore list:\n\n```sh\ncurl -sS -X DELETE "${ANTHROPIC_BASE_URL:-http://127.0.0.1:8787}/_collectivus/ignore/session" \\\n  -H \'content-type: application/json\' \\\n  -d "{\\"session_id\\":\\"$CLAUDE_CODE_SESSION_ID\\"}"\n```\n\n`"removed":true` in the reply means the session is recorded again from the next request on.\n\nIf the directory itself was ignored with `ctvs ignore add`, remove it too:\n\n```sh\nctvs ignore list\nctvs ignore remove "$PWD"\n```\n\nA `.ctvsignore` file in this directory or a parent also stops recording; mention it if `ctvs ignore list` is empty and\nrecording still does not resume.\n\nTell the user in one line what changed.\n',
    },
  },
];
