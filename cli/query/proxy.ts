/**
 * `ctvs query proxy [get <conversation>|stats|tail]` (reference §2.3): the newest conversation parts, one
 * conversation in order, counts per provider and model, and the live exchange rows.
 *
 * @module
 */
import { literal } from "../../query/dataset.ts";
import { PROXY_MESSAGES } from "../../query/proxy_messages/dataset.ts";
import type { Io } from "../io.ts";
import { UsageError } from "../usage_error.ts";
import { QUERY_FLAGS_HELP } from "./flags.ts";
import { queryProxyTail } from "./proxy_tail.ts";
import { limitClause, requirePositional, runQuery } from "./run_query.ts";

/**
 * `--service` scopes the OTLP datasets by `serviceName`; proxy traffic has no service, so on the proxy and usage
 * commands it is a usage error (exit 2) rather than a filter that would silently match nothing or everything.
 */
export function rejectService(command: string, options: { scope: { service?: string } }, usage: string): void {
  if (options.scope.service === undefined) return;
  throw new UsageError(
    `--service does not apply to ctvs query ${command}: proxy traffic has no serviceName ` +
      "(filter with --gateway-id, --date or --from/--to, or ctvs query sql on conversation_source)",
    usage,
  );
}

/** Help for `ctvs query proxy`. */
export const PROXY_USAGE = `Usage: ctvs query proxy [get <conversation-id>|stats|tail] [options]

Conversations recorded by the proxy (the proxy_messages dataset, one row per content part):
  (none)                    the newest parts first: gateway_id, date, cwd, git_branch, message_created_at,
                            conversation_id, role, part_type, model, content_text
  get <conversation-id>     every part of one conversation in order (adds message_index, message_id, part_index,
                            tool_name, tool_call_id)
  stats                     parts, conversations and messages per provider and model
  tail                      the last exchanges read live from the JSONL files (no cache): gateway_id, date,
                            ts_start, duration_ms, upstream, response_status, request_path, exchange_id, error

${QUERY_FLAGS_HELP}`;

const COLUMNS =
  "gateway_id, date, cwd, git_branch, message_created_at, conversation_id, role, part_type, model, content_text";

/** Runs `ctvs query proxy`. */
export function queryProxy(argv: string[], io: Io): Promise<number> {
  if (argv[0] === "tail") return queryProxyTail(argv.slice(1), io, PROXY_USAGE);
  if (argv[0] === "events") {
    io.err("error: proxy events was removed; query proxy_messages directly for streamed assistant content");
    return Promise.resolve(2);
  }
  return runQuery(argv, io, {
    usage: PROXY_USAGE,
    maxPositionals: 2,
    datasets: () => [PROXY_MESSAGES],
    adjust: ([sub], options) => {
      rejectService(sub === "get" || sub === "stats" ? `proxy ${sub}` : "proxy", options, PROXY_USAGE);
      return options;
    },
    sql: ([sub, id], limit) => {
      const tail = limitClause(limit);
      if (sub === undefined) {
        return `SELECT ${COLUMNS} FROM proxy_messages ` +
          `ORDER BY message_created_at DESC, message_index DESC, part_index DESC${tail}`;
      }
      if (sub === "get") {
        const conversation = requirePositional([id], 0, "a conversation id", PROXY_USAGE);
        return `SELECT ${COLUMNS}, message_index, message_id, part_index, tool_name, tool_call_id ` +
          `FROM proxy_messages WHERE conversation_id = ${literal(conversation)} ` +
          `ORDER BY message_index, message_created_at, part_index${tail}`;
      }
      if (id !== undefined) throw new UsageError(`unknown argument: ${id}`, PROXY_USAGE);
      if (sub === "stats") {
        return "SELECT provider, model, count(*) AS parts, count(DISTINCT conversation_id) AS conversations, " +
          "count(DISTINCT message_id) AS messages FROM proxy_messages GROUP BY provider, model " +
          `ORDER BY parts DESC, provider, model${tail}`;
      }
      throw new UsageError(`unknown argument: ${sub}`, PROXY_USAGE);
    },
  });
}
