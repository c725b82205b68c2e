/**
 * The reads of `ctvs ui` ({@link UiBackend}) over the query layer: the SQL of `query/browse/` and of the usage
 * reports, run through {@link UiReader}. Query failures become the HTTP errors the page shows: refused or broken user
 * SQL a 400, a cache not ready a 409.
 *
 * @module
 */
import { CONVERSATION_SOURCES, conversationDatasets } from "../../query/browse/conversation_sources.ts";
import {
  conversationListSql,
  conversationPartSql,
  conversationPartsSql,
  conversationTurnsSql,
} from "../../query/browse/conversations.ts";
import { logListSql } from "../../query/browse/logs.ts";
import { metricListSql, metricSeriesSql } from "../../query/browse/metrics.ts";
import { paged } from "../../query/browse/page.ts";
import {
  MAX_TRACE_SPANS,
  spanSql,
  TRACE_SERVICES_SQL,
  traceListSql,
  traceSpansSql,
} from "../../query/browse/traces.ts";
import type { Dataset } from "../../query/dataset.ts";
import { DATASETS, LOGS, METRICS, TRACES } from "../../query/datasets.ts";
import { LLM_REQUESTS } from "../../query/llm_requests/dataset.ts";
import { partitionStatuses } from "../../query/partition_status.ts";
import { readRecordedExchange } from "../../query/proxy_exchange.ts";
import { SqlRefusedError } from "../../query/read_only_sql.ts";
import { USAGE_REPORTS, type UsageReport, usageReportSql } from "../../query/usage_report.ts";
import { HttpError } from "../../server/proxy/http_error.ts";
import type { DatasetFreshness, TimeRange, UiBackend, UiStatus } from "../../server/ui/backend.ts";
import { QueryError } from "../query/context.ts";
import { columnsOf, csvLines, rowsOf } from "../query/render.ts";
import { sqlDatasets, sqlNames } from "../query/sql.ts";
import type { UiReader } from "./reader.ts";

/** Turns what the query layer throws into the answer the page shows. */
function answerable(error: unknown, userSql = false): unknown {
  if (error instanceof HttpError) return error;
  if (error instanceof SqlRefusedError) return new HttpError(400, { error: error.message });
  if (error instanceof QueryError) return new HttpError(409, { error: error.message });
  if (error instanceof RangeError) return new HttpError(400, { error: error.message });
  // DuckDB's own errors on a user's SQL (a typo, an unknown column) are the user's to fix.
  if (userSql && error instanceof Error) return new HttpError(400, { error: error.message });
  return error;
}

async function guarded<T>(work: () => Promise<T>, userSql = false): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw answerable(error, userSql);
  }
}

/** The datasets each screen of the page reads: the header speaks of those, not of datasets the screen never reads. */
const SCREEN_DATASETS: Record<string, readonly Dataset[]> = {
  conversations: conversationDatasets(CONVERSATION_SOURCES),
  conversation: conversationDatasets(CONVERSATION_SOURCES),
  exchange: conversationDatasets(CONVERSATION_SOURCES),
  usage: [LLM_REQUESTS],
  traces: [TRACES],
  trace: [TRACES, LOGS],
  logs: [LOGS],
  metrics: [METRICS],
  sql: DATASETS,
};

/** The freshness of each built-in dataset. */
async function status(reader: UiReader): Promise<UiStatus> {
  const statuses = await partitionStatuses(reader.ctx.root, reader.ctx.cacheDir, DATASETS);
  const datasets: DatasetFreshness[] = DATASETS.map((dataset) => {
    const own = statuses.filter((s) => s.partition.dataset === dataset);
    const refreshedOf = (list: typeof own) =>
      list.map((s) => s.cursor?.refreshed_at).filter((t): t is string => typeof t === "string").sort();
    const stale = own.filter((s) => s.freshness.state === "stale");
    return {
      name: dataset.name,
      partitions: own.length,
      fresh: own.filter((s) => s.freshness.state === "fresh").length,
      stale: stale.length,
      missing: own.filter((s) => s.freshness.state === "missing").length,
      refreshed_at: refreshedOf(own).at(-1) ?? null,
      stale_since: refreshedOf(stale)[0] ?? null,
    };
  });
  const screens = Object.fromEntries(
    Object.entries(SCREEN_DATASETS).map(([screen, list]) => [screen, list.map((d) => d.name)]),
  );
  return { datasets, screens, refresh: reader.mode, root: reader.ctx.root, config: reader.ctx.configLabel };
}

/** Builds the backend over `reader`. */
export function uiBackend(reader: UiReader): UiBackend {
  const conversations = { datasets: conversationDatasets(CONVERSATION_SOURCES) };
  const rows = (datasets: typeof DATASETS, sql: string, range: TimeRange = {}, limit?: number) =>
    guarded(() => reader.rows({ datasets, ...range }, sql, limit));

  return {
    status: () => status(reader),
    refresh: (names) =>
      guarded(async () => {
        const wanted = names.length ? DATASETS.filter((d) => names.includes(d.name)) : DATASETS;
        await reader.ready({ datasets: wanted }, true);
        return status(reader);
      }),

    conversations: async (filter, range, page) =>
      paged(await rows(conversations.datasets, conversationListSql(filter, page), range), page),
    conversation: async (origin, id) =>
      (await rows(conversations.datasets, conversationListSql({ origin, id }, { limit: 1, offset: 0 })))[0] ?? null,
    conversationParts: async (origin, id, page) =>
      paged(await rows(conversations.datasets, conversationPartsSql(origin, id, page)), page),
    conversationTurns: async (origin, id, page) =>
      paged(await rows(conversations.datasets, conversationTurnsSql(origin, id, page)), page),
    conversationPart: async (origin, id, messageId, partIndex) =>
      (await rows(conversations.datasets, conversationPartSql(origin, id, messageId, partIndex)))[0] ?? null,
    exchange: (gatewayId, date, exchangeId) =>
      guarded(async () => {
        const found = await readRecordedExchange(reader.ctx.root, gatewayId, date, exchangeId);
        if (!found.exchange && found.event_count === 0) {
          throw new HttpError(404, { error: `exchange ${exchangeId} is not in ${gatewayId}/proxy/${date}.jsonl` });
        }
        return { ...found };
      }),

    usage: (report, breakdown, range) => {
      if (!(USAGE_REPORTS as readonly string[]).includes(report)) {
        return Promise.reject(new HttpError(400, { error: `unknown report: ${report}` }));
      }
      return rows([LLM_REQUESTS], usageReportSql(report as UsageReport, breakdown), range);
    },

    traces: async (filter, range, page) => paged(await rows([TRACES], traceListSql(filter, page), range), page),
    traceServices: async () => (await rows([TRACES], TRACE_SERVICES_SQL)).map((r) => String(r.service)),
    trace: async (traceId) => {
      const spans = await rows([TRACES], traceSpansSql(traceId));
      return { spans: spans.slice(0, MAX_TRACE_SPANS), truncated: spans.length > MAX_TRACE_SPANS };
    },
    span: async (traceId, spanId) => (await rows([TRACES], spanSql(traceId, spanId)))[0] ?? null,

    logs: async (filter, range, page) => paged(await rows([LOGS], logListSql(filter, page), range), page),

    metrics: async (q, page) => paged(await rows([METRICS], metricListSql(q, page)), page),
    metricSeries: (name, range) => rows([METRICS], metricSeriesSql(name), range),

    sql: (text, limit) =>
      guarded(async () => {
        const session = await reader.session({ datasets: sqlDatasets(text), collections: sqlNames(text) });
        try {
          const result = await session.query(text);
          const columns = columnsOf(result);
          const cells: unknown[][] = [];
          for await (const row of rowsOf(result, columns, true, limit + 1)) cells.push(row);
          return { columns: columns.map((c) => c.name), rows: cells.slice(0, limit), more: cells.length > limit };
        } finally {
          session.close();
        }
      }, true),
    sqlCsv: (text) =>
      guarded(async () => {
        const session = await reader.session({ datasets: sqlDatasets(text), collections: sqlNames(text) });
        let result;
        try {
          result = await session.query(text);
        } catch (error) {
          session.close();
          throw error;
        }
        return (async function* () {
          try {
            yield* csvLines(result);
          } finally {
            session.close();
          }
        })();
      }, true),
  };
}
