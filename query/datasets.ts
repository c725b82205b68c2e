/**
 * The built-in datasets over the OTLP recordings (reference §5.4 row shapes, §8.3 column types), and the list of
 * every built-in dataset: with the proxy's (`proxy_messages`, `llm_requests`), Gas City's and the imported
 * transcripts' (`transcript_messages`, `transcript_requests`).
 *
 * @module
 */
import { type Dataset, defineDataset } from "./dataset.ts";
import { GASCITY_EVENTS, GASCITY_MESSAGES } from "./gascity/datasets.ts";
import { LLM_REQUESTS } from "./llm_requests/dataset.ts";
import { PROXY_MESSAGES } from "./proxy_messages/dataset.ts";
import { TRANSCRIPT_MESSAGES } from "./transcript_messages/dataset.ts";
import { TRANSCRIPT_REQUESTS } from "./transcript_requests/dataset.ts";

/** `logs`: one row per log record. */
export const LOGS: Dataset = defineDataset(
  { name: "logs", signal: "logs", timestamp: "timestamp", fallbackTimestamps: ["timestamp", "observedTimestamp"] },
  [
    ["serviceName", "VARCHAR"],
    ["timestamp", "TIMESTAMP"],
    ["observedTimestamp", "TIMESTAMP"],
    ["severityNumber", "INTEGER"],
    ["severityText", "VARCHAR"],
    // OTLP 1.5+ `LogRecord.event_name`; Claude Code and Codex put theirs in attributes["event.name"] instead.
    ["eventName", "VARCHAR"],
    ["body", "JSON"],
    ["traceId", "VARCHAR"],
    ["spanId", "VARCHAR"],
    ["flags", "INTEGER"],
    ["droppedAttributesCount", "INTEGER"],
    ["resource", "JSON"],
    ["scope_name", "VARCHAR"],
    ["scope_version", "VARCHAR"],
    ["scope_attributes", "JSON"],
    ["attributes", "JSON"],
  ],
);

/** `traces`: one row per span. */
export const TRACES: Dataset = defineDataset(
  {
    name: "traces",
    signal: "traces",
    timestamp: "startTimestamp",
    fallbackTimestamps: ["startTimestamp", "endTimestamp"],
  },
  [
    ["serviceName", "VARCHAR"],
    ["traceId", "VARCHAR"],
    ["spanId", "VARCHAR"],
    ["parentSpanId", "VARCHAR"],
    ["name", "VARCHAR"],
    ["kind", "INTEGER"],
    ["traceState", "VARCHAR"],
    ["startTimestamp", "TIMESTAMP"],
    ["endTimestamp", "TIMESTAMP"],
    ["durationMs", "DOUBLE"],
    ["flags", "INTEGER"],
    ["droppedAttributesCount", "INTEGER"],
    ["droppedEventsCount", "INTEGER"],
    ["droppedLinksCount", "INTEGER"],
    ["status", "JSON"],
    ["resource", "JSON"],
    ["scope_name", "VARCHAR"],
    ["scope_version", "VARCHAR"],
    ["scope_attributes", "JSON"],
    ["attributes", "JSON"],
    ["events", "JSON"],
    ["links", "JSON"],
  ],
);

// An int data point's value is a number or a decimal string (int64); it goes to valueInt, never to value.
const IS_INT = `"valueType" = 'int'`;

/** `metrics`: one row per data point. */
export const METRICS: Dataset = defineDataset(
  { name: "metrics", signal: "metrics", timestamp: "timestamp", fallbackTimestamps: ["timestamp", "startTimestamp"] },
  [
    ["serviceName", "VARCHAR"],
    ["metricName", "VARCHAR"],
    ["description", "VARCHAR"],
    ["unit", "VARCHAR"],
    ["metricType", "VARCHAR"],
    ["aggregationTemporality", "INTEGER"],
    ["isMonotonic", "BOOLEAN"],
    ["startTimestamp", "TIMESTAMP"],
    ["timestamp", "TIMESTAMP"],
    ["flags", "INTEGER"],
    ["value", "DOUBLE", `CASE WHEN ${IS_INT} THEN NULL ELSE try_cast("value" AS DOUBLE) END`],
    ["valueInt", "BIGINT", `CASE WHEN ${IS_INT} THEN try_cast("value" AS BIGINT) END`],
    ["valueType", "VARCHAR"],
    ["count", "BIGINT"],
    ["sum", "DOUBLE"],
    ["min", "DOUBLE"],
    ["max", "DOUBLE"],
    ["bucketCounts", "JSON"],
    ["explicitBounds", "JSON"],
    ["scale", "INTEGER"],
    ["zeroCount", "BIGINT"],
    ["zeroThreshold", "DOUBLE"],
    ["positive", "JSON"],
    ["negative", "JSON"],
    ["quantileValues", "JSON"],
    ["exemplars", "JSON"],
    ["resource", "JSON"],
    ["scope_name", "VARCHAR"],
    ["scope_version", "VARCHAR"],
    ["scope_attributes", "JSON"],
    ["metadata", "JSON"],
    ["attributes", "JSON"],
  ],
);
// `value` is computed, so read it (VARCHAR keeps a number or an int64 string as text).
METRICS.fields.value = "VARCHAR";

/** The built-in datasets by name. */
export const DATASETS: readonly Dataset[] = [
  LOGS,
  TRACES,
  METRICS,
  PROXY_MESSAGES,
  LLM_REQUESTS,
  GASCITY_MESSAGES,
  GASCITY_EVENTS,
  TRANSCRIPT_MESSAGES,
  TRANSCRIPT_REQUESTS,
];

/** The built-in dataset called `name`, if any. */
export function datasetNamed(name: string): Dataset | undefined {
  return DATASETS.find((d) => d.name === name);
}
