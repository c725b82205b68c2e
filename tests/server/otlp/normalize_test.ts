/**
 * The normalized rows of each signal, field by field, from OTLP/JSON in every form senders use: the spec's
 * (hex ids, integer enums), protobuf's canonical mapping (base64 ids, enum names), and snake_case keys.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { parseJsonBody } from "../../../server/otlp/json/parse_json_body.ts";
import { logRows } from "../../../server/otlp/normalize/logs.ts";
import { metricRows } from "../../../server/otlp/normalize/metrics.ts";
import { spanRows } from "../../../server/otlp/normalize/spans.ts";
import { collect, LOG_FORMS, LOG_ROWS, SPAN_ROWS, TRACE_FORMS } from "./_fixtures.ts";
import { METRIC_FORMS, METRIC_ROWS } from "./_metric_fixtures.ts";

/** The rows as they are written: what JSON keeps of them. */
const written = (rows: unknown) => JSON.parse(JSON.stringify(rows));
/** A form sent as a JSON body and parsed the way the receiver parses it. */
const viaBody = (value: unknown) => parseJsonBody(new TextEncoder().encode(JSON.stringify(value))).envelope;

const SIGNALS = [
  { name: "spans", forms: TRACE_FORMS, rows: spanRows, expected: SPAN_ROWS },
  { name: "logs", forms: LOG_FORMS, rows: logRows, expected: LOG_ROWS },
  { name: "metrics", forms: METRIC_FORMS, rows: metricRows, expected: METRIC_ROWS },
];

for (const signal of SIGNALS) {
  test(`${signal.name}: OTLP/JSON gives exactly the expected rows`, () => {
    assert.deepEqual(written(collect(signal.rows, viaBody(signal.forms().otlpJson))), signal.expected);
  });

  test(`${signal.name}: base64 ids and enum names (protobuf's JSON mapping) give the same rows`, () => {
    assert.deepEqual(written(collect(signal.rows, viaBody(signal.forms().canonical))), signal.expected);
  });

  test(`${signal.name}: snake_case keys give the same rows`, () => {
    const body = JSON.stringify(signal.forms().snakeCase);
    assert.match(body, /"resource_(spans|logs|metrics)"/);
    assert.deepEqual(written(collect(signal.rows, viaBody(signal.forms().snakeCase))), signal.expected);
  });
}

test("int64 fields may be numbers or strings; ids may be upper-case hex; unknown fields are ignored", () => {
  const rows = collect(
    spanRows,
    viaBody({
      unknownTop: { deep: [1, 2, 3] },
      resourceSpans: [{
        scopeSpans: [{
          spans: [{
            traceId: "5B8EFFF798038103D269B633813FC60C",
            spanId: "EEE19B7EC3C1B174",
            name: "n",
            startTimeUnixNano: 1544712660000000000,
            endTimeUnixNano: "1544712661000000000",
            somethingNew: "ignored",
            attributes: [{ key: "n", value: { intValue: 5 } }, { key: "s", value: { intValue: "6" } }],
          }],
        }],
      }],
    }),
  );
  assert.equal(rows.length, 1);
  assert.equal(rows[0].traceId, "5b8efff798038103d269b633813fc60c");
  assert.equal(rows[0].spanId, "eee19b7ec3c1b174");
  assert.equal(rows[0].startTimestamp, "2018-12-13T14:51:00.000Z");
  assert.equal(rows[0].durationMs, 1000);
  assert.deepEqual(rows[0].attributes, { n: 5, s: 6 });
  assert.equal("somethingNew" in rows[0], false);
});

test("a log record's body and attributes keep Claude Code's event attributes exactly", () => {
  const attributes = {
    "event.name": "api_request",
    "event.timestamp": "2026-04-22T19:38:39.688Z",
    "event.sequence": 12,
    "session.id": "0f9d7c2e-1111-4222-8333-944455556666",
    "prompt.id": "c1d2e3f4-aaaa-4bbb-8ccc-ddddeeeeffff",
    model: "claude-sonnet-4-5",
    cost_usd: 0.012345,
    input_tokens: 1200,
    output_tokens: 340,
    cache_read_tokens: 20000,
    cache_creation_tokens: 0,
    duration_ms: 5321,
    request_id: "req_011CSomething",
    "user.account_uuid": "acct-uuid",
    "terminal.type": "vscode",
  };
  const otlpAttributes = Object.entries(attributes).map(([key, value]) => ({
    key,
    value: typeof value === "string"
      ? { stringValue: value }
      : Number.isInteger(value)
      ? { intValue: String(value) }
      : { doubleValue: value },
  }));
  const [row] = collect(
    logRows,
    viaBody({
      resourceLogs: [{
        resource: { attributes: [{ key: "service.name", value: { stringValue: "claude-code" } }] },
        scopeLogs: [{
          scope: { name: "com.anthropic.claude_code.events", version: "2.1.200" },
          logRecords: [{
            timeUnixNano: "1776886719688000000",
            body: { stringValue: "claude_code.api_request" },
            attributes: otlpAttributes,
          }],
        }],
      }],
    }),
  );
  assert.deepEqual(row.attributes, attributes);
  assert.equal(row.body, "claude_code.api_request");
  assert.equal(row.serviceName, "claude-code");
});
