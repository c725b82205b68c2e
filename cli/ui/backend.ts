/**
 * The reads of `ctvs ui` ({@link UiBackend}) over the query layer: the SQL of `query/browse/` and of the usage
 * reports, run through {@link UiReader}. Query failures become the HTTP errors the page shows: refused or broken user
 * SQL a 400, a cache not ready a 409.
 *
 * @module
 */
import { CONVERSATION_SOURCES, conversationDatasets } from "../../query/browse/conversation_sources.ts";
import {
  conversationContextSql,
  conversationListSql,
  conversationPartSql,
  conversationPartsSql,
  conversationSearchSql,
  conversationTurnsSql,
  MAX_SEARCH_MATCHES,
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
import { partitionStatuses } from "../../query/partition_status.ts";
import { readExchangeImage, readRecordedExchange } from "../../query/proxy_exchange.ts";
import { IMAGE_TYPES, imageBytes, MAX_IMAGE_BYTES, type RecordedImage } from "../../query/proxy_images.ts";
import { PROXY_MESSAGES } from "../../query/proxy_messages/dataset.ts";
import { readPartImage } from "../../query/proxy_part_image.ts";
import { SqlRefusedError } from "../../query/read_only_sql.ts";
import { USAGE_REPORTS, type UsageReport, usageReportSql } from "../../query/usage_report.ts";
import { USAGE_DATASETS } from "../query/usage.ts";
import { HttpError } from "../../server/http_error.ts";
import type { DatasetFreshness, ServedImage, TimeRange, UiBackend, UiStatus } from "../../server/ui/backend.ts";
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

/** An image's bytes, or the 4xx that says why it cannot be shown. */
function served(image: RecordedImage | undefined, where: string): ServedImage {
  if (!image) throw new HttpError(404, { error: `no image there: ${where} is not recorded or holds none` });
  const got = imageBytes(image);
  switch (got.kind) {
    case "bytes":
      return { media_type: got.media_type, bytes: got.bytes };
    case "link":
      throw new HttpError(404, {
        error: `the image is a link, not in the recording (ctvs ui fetches nothing): ${got.url}`,
      });
    case "file":
      throw new HttpError(404, {
        error: `the image is a file uploaded to the provider (${got.file_id}), not in the recording`,
      });
    case "unsupported":
      throw new HttpError(415, {
        error: `the image's type (${got.media_type ?? "none"}) is not one ctvs ui shows: ${IMAGE_TYPES.join(", ")}`,
      });
    case "too_big":
      throw new HttpError(413, {
        error: `the image is ${got.bytes} bytes, more than the ${MAX_IMAGE_BYTES} ctvs ui serves`,
      });
  }
}

/** The datasets each screen of the page reads: the header speaks of those, not of datasets the screen never reads. */
const SCREEN_DATASETS: Record<string, readonly Dataset[]> = {
  conversations: conversationDatasets(CONVERSATION_SOURCES),
  conversation: conversationDatasets(CONVERSATION_SOURCES),
  exchange: conversationDatasets(CONVERSATION_SOURCES),
  usage: USAGE_DATASETS.all,
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
    conversationContext: (origin, id) => rows(conversations.datasets, conversationContextSql(origin, id)),
    conversationSearch: async (origin, id, q) => {
      const matches = await rows(conversations.datasets, conversationSearchSql(origin, id, q));
      return { matches: matches.slice(0, MAX_SEARCH_MATCHES), more: matches.length > MAX_SEARCH_MATCHES };
    },
    conversationPartImage: (origin, id, messageId, partIndex) =>
      guarded(async () => {
        if (CONVERSATION_SOURCES.find((s) => s.name === origin)?.messages !== PROXY_MESSAGES) {
          throw new HttpError(404, { error: `images of ${origin} conversations are not recorded` });
        }
        const sql = conversationPartSql(origin, id, messageId, partIndex);
        const part = (await reader.rows({ datasets: conversations.datasets }, sql))[0];
        if (!part) throw new HttpError(404, { error: "no such part" });
        if (part.part_type !== "image") {
          throw new HttpError(404, { error: `the part is ${part.part_type}, not an image` });
        }
        const image = await readPartImage(reader.ctx.root, {
          gatewayId: String(part.gateway_id),
          date: String(part.date),
          tsStart: String(part.message_created_at),
          conversationId: id,
          messageIndex: Number(part.message_index),
          partIndex,
        });
        return served(
          image,
          `the exchange of ${part.message_created_at} in ${part.gateway_id}/proxy/${part.date}.jsonl`,
        );
      }),
    exchangeImage: (gatewayId, date, exchangeId, index) =>
      guarded(async () => {
        const found = await readExchangeImage(reader.ctx.root, gatewayId, date, exchangeId, index);
        return served(found?.image, `exchange ${exchangeId}`);
      }),
    exchange: (gatewayId, date, exchangeId) =>
      guarded(async () => {
        const found = await readRecordedExchange(reader.ctx.root, gatewayId, date, exchangeId);
        if (!found.exchange && found.event_count === 0) {
          throw new HttpError(404, { error: `exchange ${exchangeId} is not in ${gatewayId}/proxy/${date}.jsonl` });
        }
        return { ...found };
      }),

    usage: (report, breakdown, range, source) => {
      if (!(USAGE_REPORTS as readonly string[]).includes(report)) {
        return Promise.reject(new HttpError(400, { error: `unknown report: ${report}` }));
      }
      return rows(USAGE_DATASETS[source], usageReportSql(report as UsageReport, breakdown, source), range);
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
            yield* csvLines(result, true);
          } finally {
            session.close();
          }
        })();
      }, true),
  };
}
