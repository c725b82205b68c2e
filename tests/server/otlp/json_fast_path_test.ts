/**
 * The OTLP/JSON fast path (bytes straight to row lines) against the general path (JSON.parse, normalizers,
 * JSON.stringify): for every body, the fast path either writes exactly the general path's bytes (rows and raw line)
 * or leaves the body to it. Each shape a sender may use is a case here, with whether the fast path must take it;
 * random damage to real bodies checks the rest.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { encodeRequest } from "../../../server/otlp/encode_request.ts";
import { transcodeJsonRequest } from "../../../server/otlp/json/transcode_request.ts";
import { LOGS, METRICS, type Signal, TRACES } from "../../../server/otlp/signals.ts";
import { JsonlBytes } from "../../../storage/jsonl_bytes.ts";
import { LOG_FORMS, TRACE_FORMS, withNumericInts } from "./_fixtures.ts";
import { METRIC_FORMS } from "./_metric_fixtures.ts";

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), "..", "..", "fixtures", "otlp");
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** What a path made of a body: its rows and raw line as text, or the error it answered. */
type Outcome = { rows: string; raw: string } | { error: string };

function general(signal: Signal, body: Uint8Array): Outcome {
  return encode({ ...signal, transcodeJsonRecord: undefined }, body);
}

function encode(signal: Signal, body: Uint8Array): Outcome {
  const out = { raw: new JsonlBytes(), rows: new JsonlBytes() };
  try {
    encodeRequest(signal, "json", body, out);
  } catch (error) {
    return { error: `${(error as Error).name}: ${(error as Error).message}` };
  }
  return { rows: decoder.decode(out.rows.bytes()), raw: decoder.decode(out.raw.bytes()) };
}

/** True when the fast path took the body (it wrote rows). */
function fastTakes(signal: Signal, body: Uint8Array): boolean {
  return transcodeJsonRequest(body, signal.shape, signal.transcodeJsonRecord!, { rows: new JsonlBytes() }) !==
    undefined;
}

/** Asserts both paths agree on `body`, and that the fast path takes it or not as `fast` says. */
function agree(signal: Signal, body: string | Uint8Array, fast?: boolean): Outcome {
  const bytes = typeof body === "string" ? encoder.encode(body) : body;
  const expected = general(signal, bytes);
  assert.deepEqual(encode(signal, bytes), expected, typeof body === "string" ? body : undefined);
  if (fast !== undefined) assert.equal(fastTakes(signal, bytes), fast, typeof body === "string" ? body : undefined);
  return expected;
}

/** One span in a trace request, with `fields` spliced in (JSON text). */
const span = (fields: string, resource = '{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]}') =>
  `{"resourceSpans":[{"resource":${resource},"scopeSpans":[{"scope":{"name":"s","version":"1"},"spans":[{${fields}}]}]}]}`;
/** One log record in a log request, with `fields` spliced in. */
const log = (fields: string) => `{"resourceLogs":[{"scopeLogs":[{"logRecords":[{${fields}}]}]}]}`;
/** A span with one attribute whose value is `value` (JSON text). */
const attribute = (value: string) => span(`"name":"n","attributes":[{"key":"k","value":${value}}]`);

test("the SDK's captured JSON bodies take the fast path and give exactly the general path's bytes", () => {
  for (const signal of [TRACES, LOGS, METRICS]) {
    const body = readFileSync(path.join(FIXTURES, `${signal.name}.json`));
    const outcome = agree(signal, body, true);
    assert.ok("rows" in outcome);
    assert.equal(outcome.rows.split("\n").length - 1, 512);
  }
});

test("the SDK's JSON and protobuf bodies of the same items give the same rows", () => {
  for (const signal of [TRACES, LOGS, METRICS]) {
    const rows = (encoding: "json" | "protobuf", file: string) => {
      const out = { rows: new JsonlBytes() };
      encodeRequest(signal, encoding, readFileSync(path.join(FIXTURES, file)), out);
      return decoder.decode(out.rows.bytes()).split("\n").map((line) => line === "" ? line : JSON.parse(line));
    };
    assert.deepEqual(rows("json", `${signal.name}.json`), rows("protobuf", `${signal.name}.pb`));
  }
});

test("every field of the test fixtures, in OTLP/JSON and in protobuf's JSON mapping, gives the same bytes", () => {
  for (const [signal, forms] of [[TRACES, TRACE_FORMS()], [LOGS, LOG_FORMS()], [METRICS, METRIC_FORMS()]] as const) {
    // The metrics fixture has exponential histograms, summaries and exemplars, which the fast path leaves.
    const fast = signal !== METRICS;
    agree(signal, JSON.stringify(forms.otlpJson), fast);
    agree(signal, JSON.stringify(withNumericInts(forms.otlpJson)), fast);
    agree(signal, JSON.stringify(forms.canonical), fast); // base64 ids and enum names, through the general helpers
    agree(signal, JSON.stringify(forms.snakeCase), false);
    agree(signal, JSON.stringify(forms.otlpJson, null, 2), false); // on several lines: re-serialized for raw/
  }
});

test("intValue as a number or a string, in every form", () => {
  for (
    const value of ["5", "-42", "0", "123456789012345", "1234567890123456", "9007199254740993", "1e3", "1.0", "-0"]
  ) {
    agree(TRACES, attribute(`{"intValue":${value}}`), true);
  }
  for (
    const value of ['"5"', '"-42"', '"007"', '"-0"', '"9007199254740993"', '"123456789012345678901"', '"1.5"', '""']
  ) {
    agree(TRACES, attribute(`{"intValue":${value}}`), !['"1.5"', '"123456789012345678901"', '""'].includes(value));
  }
  const { rows } = agree(TRACES, attribute('{"intValue":"9007199254740993"}')) as { rows: string };
  assert.deepEqual(JSON.parse(rows).attributes, { k: "9007199254740993" }, "past 2^53 an int64 stays a string");
  agree(TRACES, attribute('{"intValue":null}'), false);
  agree(TRACES, attribute('{"intValue":true}'), false);
});

test("doubles, booleans, bytes, arrays and maps as attribute values", () => {
  for (
    const value of [
      '{"doubleValue":0.1}',
      '{"doubleValue":5}',
      '{"doubleValue":1e400}',
      '{"doubleValue":-0.0}',
      '{"doubleValue":1.50}',
      '{"doubleValue":"NaN"}',
      '{"doubleValue":"1.5"}',
      '{"boolValue":true}',
      '{"boolValue":false}',
      '{"boolValue":null}',
      '{"bytesValue":"AAH+/w=="}',
      '{"arrayValue":{"values":[{"stringValue":"x"},{"intValue":7},{"arrayValue":{}}]}}',
      '{"arrayValue":null}',
      '{"kvlistValue":{"values":[{"key":"a","value":{"boolValue":false}},{"key":"b"}]}}',
      "{}",
      "null",
      '{"unknown":1}',
    ]
  ) {
    agree(TRACES, attribute(value), true);
  }
  agree(TRACES, attribute('{"stringValue":"a","intValue":1}'), false); // two values: the general path chooses
  agree(TRACES, attribute('{"stringValue":5}'), false); // a 400
  const deep = '{"arrayValue":{"values":['.repeat(70) + '{"intValue":1}' + "]}}".repeat(70);
  agree(TRACES, attribute(deep), false); // nested past 64: a 400
});

test("attribute lists: duplicates, integer-like and odd keys, null and partial entries", () => {
  const attrs = (list: string) => span(`"name":"n","attributes":[${list}]`);
  agree(TRACES, attrs('{"key":"a","value":{"intValue":1}},{"key":"a","value":{"intValue":2}}'), false);
  agree(TRACES, attrs('{"key":"b","value":{"intValue":1}},{"key":"1","value":{"intValue":2}}'), false);
  // A key given twice, read once by the compact matcher and once member by member, either way round.
  agree(TRACES, attrs('{"key":"a","value":{"intValue":1}},{"key":"a","value":{"bytesValue":"x"}}'), false);
  agree(TRACES, attrs('{"key":"a","value":{"bytesValue":"x"}},{"key":"a","value":{"intValue":1}}'), false);
  agree(TRACES, attrs('{"key":"a","value":{"bytesValue":"x"}},{"key":"a","value":{"bytesValue":"y"}}'), false);
  agree(TRACES, attrs('{"key":"__proto__","value":{"stringValue":"x"}}'), true);
  agree(TRACES, attrs('null,{"key":"a","value":null},{"key":"b"}'), true);
  agree(TRACES, attrs('{"value":{"intValue":1},"key":"a"}'), false);
  agree(TRACES, attrs('{ "key" : "a" , "value" : { "intValue" : 1 } }'), true);
  agree(TRACES, attrs('{"key":"a\\"b","value":{"intValue":1}}'), false);
  agree(TRACES, attrs('{"key":"é","value":{"stringValue":"ü 🙂"}}'), true);
  agree(TRACES, attrs('{"key":"a","value":{"intValue":1},"extra":[1,{"x":null}]}'), true);
  agree(TRACES, attrs("{}"), false); // no key: a 400
  agree(TRACES, attrs('{"key":5,"value":{}}'), false); // a 400
});

test("strings with escapes are written as JSON.stringify writes them", () => {
  for (
    const text of [
      "a\\nb",
      'say \\"hi\\"',
      "back\\\\slash",
      "tab\\there",
      "\\u00e9",
      "\\/path",
      "\\ud83d\\ude42",
      "\\ud800",
    ]
  ) {
    agree(TRACES, span(`"name":"${text}"`), true);
    agree(TRACES, attribute(`{"stringValue":"${text}"}`), true);
  }
  agree(TRACES, span('"name":"raw\ttab"'), false); // a control character: not JSON
  agree(TRACES, span('"name":"bad \\x escape"'), false);
});

test("kind and status codes as numbers, numeric strings or names", () => {
  for (const kind of ["3", '"3"', '"SPAN_KIND_CLIENT"', "null", "2.0"]) agree(TRACES, span(`"kind":${kind}`), true);
  agree(TRACES, span('"kind":"CLIENT"'), false); // a 400
  agree(TRACES, span('"kind":1.5'), false); // a 400
  for (
    const status of ['{"code":2,"message":"boom"}', '{"code":"STATUS_CODE_ERROR"}', "null", "{}", '{"message":""}']
  ) {
    agree(TRACES, span(`"status":${status}`), true);
  }
  agree(TRACES, span('"status":"bad"'), false);
});

test("ids in lower or upper hex, base64, empty or invalid", () => {
  const ids = (traceId: string) => span(`"traceId":${traceId},"spanId":"eee19b7ec3c1b174"`);
  agree(TRACES, ids('"5b8efff798038103d269b633813fc60c"'), true);
  agree(TRACES, ids('"5B8EFFF798038103D269B633813FC60C"'), true);
  agree(TRACES, ids('"W47/95gDgQPSabYzgT/GDA=="'), true);
  agree(TRACES, ids('""'), true);
  agree(TRACES, ids("null"), true);
  agree(TRACES, ids('"xyz"'), false); // a 400
  agree(TRACES, ids("12"), false); // a 400
  agree(TRACES, ids('"abcde"'), false); // neither hex nor base64: a 400 (was a 500)
});

test("timestamps as decimal strings, numbers, zero, junk and 64-bit halves", () => {
  for (
    const time of ['"1544712660000000000"', "1544712660000000000", '"0"', "0", '"abc"', '""', '"123456789012345678901"']
  ) {
    agree(TRACES, span(`"startTimeUnixNano":${time},"endTimeUnixNano":"1544712661000000001"`), true);
  }
  agree(TRACES, span('"startTimeUnixNano":{"low":1,"high":2}'), false);
  agree(TRACES, span('"startTimeUnixNano":"99999999999999999999"'), true); // past what a Date holds
});

test("events and links, with null entries", () => {
  agree(
    TRACES,
    span(
      '"events":[null,{},{"attributes":[{"key":"a","value":{"intValue":1}}],"name":"e","timeUnixNano":"1544712660000000000","droppedAttributesCount":1}],' +
        '"links":[null,{},{"traceState":"x=y"},{"spanId":"eee19b7ec3c1b174","attributes":[]}]',
    ),
    true,
  );
  agree(TRACES, span('"events":{}'), false); // a 400
});

test("the request's levels: order, duplicates, nulls, unknown fields", () => {
  agree(TRACES, '{"resourceSpans":[null,{"scopeSpans":[null,{"spans":[null,{"name":"a"}]}]}]}', true);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}],"resource":{"attributes":[]}}]}', false);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}],"scope":{"name":"s"}}]}]}', false);
  agree(TRACES, '{"resourceSpans":[],"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}]}', false);
  agree(
    TRACES,
    '{"x":{"y":[1,2,{"z":null}]},"resourceSpans":[{"schemaUrl":"u","scopeSpans":[{"spans":[{"name":"a","new":1}]}]}]}',
    true,
  );
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a","trace_id":"aa"}]}]}]}', false);
  agree(TRACES, span('"name":"a"', '{"attributes":[{"key":"service.name","value":{"intValue":1}}]}'), true);
  agree(TRACES, span('"name":"a"', '{"attributes":[{"key":"service.name","value":{"stringValue":""}}]}'), true);
  agree(TRACES, span('"name":"a"', "null"), true);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"scope":null,"spans":[{"name":"a"}]}]}]}', true);
});

test("bodies the fast path leaves to the general path answer as before", () => {
  agree(TRACES, "", false);
  agree(TRACES, "{}", false);
  agree(TRACES, '{"resourceSpans":[]}', false);
  agree(TRACES, '{"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]}', false); // the wrong signal: a warning
  agree(TRACES, "[1]", false);
  agree(TRACES, '\uFEFF{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}]} \t', true);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}]} x', false);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}]', false);
  agree(TRACES, '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a",}]}]}]}', false);
  const invalid = new Uint8Array([...encoder.encode(span('"name":"')), 0xff, ...encoder.encode('"}]}]}]}')]);
  agree(TRACES, invalid.subarray(0, invalid.length - 1), false); // invalid UTF-8: replaced, raw re-serialized
  agree(TRACES, span('"name":"\uFFFD"'), false);
  const deep = "[".repeat(300) + "]".repeat(300);
  agree(TRACES, `{"x":${deep},"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"a"}]}]}]}`, false);
});

test("log records: bodies of every kind, severities and event names", () => {
  for (
    const body of [
      '{"stringValue":"hi"}',
      "{}",
      "null",
      '{"kvlistValue":{"values":[{"key":"a","value":{"intValue":"5"}}]}}',
      '{"arrayValue":{"values":[]}}',
    ]
  ) {
    agree(LOGS, log(`"body":${body},"severityNumber":9,"eventName":"e"`), true);
  }
  agree(LOGS, log('"severityNumber":"SEVERITY_NUMBER_ERROR","severityText":"","traceId":"","flags":1'), true);
  agree(LOGS, log('"body":{"intValue":null}'), false);
});

/** One metric in a metrics request, with `fields` spliced in. */
const metric = (fields: string) =>
  `{"resourceMetrics":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"m"}}]},` +
  `"scopeMetrics":[{"scope":{"name":"s"},"metrics":[{${fields}}]}]}]}`;
const point = '"startTimeUnixNano":"1544712660000000000","timeUnixNano":"1544712661000000000"';

test("metrics: sums, gauges and histograms in every form; the kinds this path leaves", () => {
  const values = ['"asInt":5', '"asInt":"9007199254740993"', '"asDouble":0.25', '"asDouble":1e400'];
  for (const value of [...values, '"asInt":1,"asDouble":2', '"asDouble":2,"asInt":1', ""]) {
    const fields = [point, value].filter(Boolean).join(",");
    const sum = `"sum":{"aggregationTemporality":1,"isMonotonic":true,"dataPoints":[{${fields}}]}`;
    agree(METRICS, metric(`"name":"c",${sum}`), true);
    const attributes = '"attributes":[{"key":"a","value":{"intValue":1}}]';
    const gauge = `"gauge":{"dataPoints":[{${[value, attributes].filter(Boolean).join(",")}}]}`;
    agree(METRICS, metric(`"name":"g","unit":"1",${gauge}`), true);
  }
  // Data before the name, temporality after the points, metadata, a null point, a null kind before the real one.
  agree(
    METRICS,
    metric(
      `"sum":{"dataPoints":[null,{${point},"asInt":3,"flags":1}],"aggregationTemporality":"AGGREGATION_TEMPORALITY_CUMULATIVE"},"gauge":null,"name":"late","description":"d","metadata":[{"key":"k","value":{"stringValue":"v"}}]`,
    ),
    true,
  );
  for (
    const fields of [
      `${point},"count":"6","sum":42.5,"bucketCounts":["1","2",3],"explicitBounds":[5,10.5],"min":0.5,"max":20`,
      `${point},"count":null,"sum":null,"bucketCounts":null,"explicitBounds":[],"min":null`,
      `"sum":1e400,"count":2`,
      "",
    ]
  ) {
    agree(METRICS, metric(`"name":"h","histogram":{"aggregationTemporality":2,"dataPoints":[{${fields}}]}`), true);
  }
  agree(METRICS, metric(`"name":"h","histogram":{"dataPoints":[{"bucketCounts":[1,null]}]}`), false);
  agree(METRICS, metric(`"name":"e","exponentialHistogram":{"dataPoints":[{${point}}]}`), false);
  agree(METRICS, metric(`"name":"s","summary":{"dataPoints":[{${point}}]}`), false);
  agree(METRICS, metric(`"name":"x","gauge":{"dataPoints":[]},"sum":{"dataPoints":[{"asInt":1}]}`), false);
  agree(METRICS, metric(`"name":"x","gauge":{"dataPoints":[{"asInt":1,"exemplars":[{"asInt":2}]}]}`), false);
  agree(METRICS, metric(`"name":"x","gauge":{"dataPoints":[{"asInt":1,"exemplars":[]}]}`), true);
  agree(METRICS, metric(`"name":"x","gauge":{"dataPoints":[{"asInt":null}]}`), false);
  agree(METRICS, metric(`"name":"x","sum":{"isMonotonic":"yes","dataPoints":[{"asInt":1}]}`), false); // a 400
  agree(METRICS, metric(`"name":"no.data"`), false); // no rows: the general path
});

/** The SDK's metrics body with two data points a metric: small enough to damage many times. */
function fewPoints(
  body: { resourceMetrics: { scopeMetrics: { metrics: Record<string, { dataPoints?: unknown[] }>[] }[] }[] },
) {
  for (const metric of body.resourceMetrics[0].scopeMetrics[0].metrics) {
    for (const data of Object.values(metric)) if (data?.dataPoints) data.dataPoints = data.dataPoints.slice(0, 2);
  }
  return body;
}

/** A small PRNG, so a failure is repeatable. */
function random(seed: number): () => number {
  return () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
}

test("damaged bodies (cut, bytes changed, removed, inserted, pieces repeated) get the same answer from both paths", () => {
  const next = random(17);
  const pick = (n: number) => Math.floor(next() * n);
  const sources = [
    encoder.encode(JSON.stringify(TRACE_FORMS().otlpJson)),
    encoder.encode(JSON.stringify(withNumericInts(LOG_FORMS().otlpJson))),
    encoder.encode(JSON.stringify(fewPoints(JSON.parse(readFileSync(path.join(FIXTURES, "metrics.json"), "utf8"))))),
  ];
  const alphabet = encoder.encode('{}[]":,0123456789-.eE tnfrsu\\abcdefABCDEF_ \xe9');
  for (let i = 0; i < 900; i++) {
    const signal = [TRACES, LOGS, METRICS][i % 3];
    const source = sources[i % 3];
    let body: Uint8Array;
    const at = pick(source.length);
    switch (i % 6) {
      case 0:
        body = source.subarray(0, at);
        break;
      case 1:
        body = source.slice();
        body[at] = alphabet[pick(alphabet.length)];
        break;
      case 2:
        body = new Uint8Array([...source.subarray(0, at), ...source.subarray(at + 1 + pick(8))]);
        break;
      case 3:
        body = new Uint8Array([...source.subarray(0, at), alphabet[pick(alphabet.length)], ...source.subarray(at)]);
        break;
      case 4: {
        // A piece of the body repeated elsewhere: often still JSON, with an entry or a key given twice.
        const from = pick(source.length);
        const piece = source.subarray(from, from + 1 + pick(200));
        body = new Uint8Array([...source.subarray(0, at), ...piece, ...source.subarray(at)]);
        break;
      }
      default:
        body = new Uint8Array([...source.subarray(0, at), 0x20, ...source.subarray(at)]);
    }
    agree(signal, body);
  }
});
