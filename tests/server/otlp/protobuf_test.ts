/**
 * The protobuf decoders against the code generated from the .proto files: for each signal, the bytes the generated
 * code writes decode, record by record, to exactly the OTLP/JSON it writes (the raw line) and to the same rows as the
 * JSON body. Also the wire variations parsers must accept, and garbage, which must be a 400 and never anything else.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { encodeRequest } from "../../../server/otlp/encode_request.ts";
import { OtlpError } from "../../../server/otlp/otlp_error.ts";
import {
  LOGS as LOGS_SIGNAL,
  METRICS as METRICS_SIGNAL,
  type Signal,
  TRACES as TRACES_SIGNAL,
} from "../../../server/otlp/signals.ts";
import { JsonlBytes } from "../../../storage/jsonl_bytes.ts";
import { LOG_FORMS, LOG_ROWS, SPAN_ROWS, TRACE_FORMS, withNumericInts } from "./_fixtures.ts";
import { METRIC_FORMS, METRIC_ROWS } from "./_metric_fixtures.ts";

/** A protobuf body through the receiver's decoding: the raw lines and the rows it writes, parsed back. */
function decoded(signal: Signal, body: Uint8Array) {
  const out = { raw: new JsonlBytes(), rows: new JsonlBytes() };
  encodeRequest(signal, "protobuf", body, out);
  const lines = (buffer: JsonlBytes) =>
    new TextDecoder().decode(buffer.bytes()).split("\n").filter((line) => line !== "").map((line) => JSON.parse(line));
  return { raw: lines(out.raw), rows: lines(out.rows) };
}

const CASES = [
  { signal: TRACES_SIGNAL, forms: TRACE_FORMS, expected: SPAN_ROWS },
  { signal: LOGS_SIGNAL, forms: LOG_FORMS, expected: LOG_ROWS },
  { signal: METRICS_SIGNAL, forms: METRIC_FORMS, expected: METRIC_ROWS },
];

for (const { signal, forms, expected } of CASES) {
  test(`${signal.name}: protobuf decodes to the request's OTLP/JSON (the raw line) and to the expected rows`, () => {
    const { protobuf, otlpJson } = forms();
    const { raw, rows } = decoded(signal, protobuf);
    assert.deepEqual(raw, [withNumericInts(otlpJson)]);
    assert.deepEqual(rows, expected);
  });

  test(`${signal.name}: any truncation of a valid body is a 400 or decodes a prefix, never another error`, () => {
    const { protobuf } = forms();
    for (let end = 1; end < protobuf.length; end++) {
      try {
        decoded(signal, protobuf.subarray(0, end));
      } catch (error) {
        assert.ok(error instanceof OtlpError, `cut at ${end}: ${error}`);
        assert.equal(error.status, 400);
      }
    }
  });
}

test("repeated scalars are read packed and unpacked; unknown fields and groups are skipped", () => {
  // A histogram point written by hand: bucket_counts unpacked (one fixed64 per tag), explicit_bounds packed, plus an
  // unknown varint field 99 and an unknown group field 98.
  const point = new BinaryWriter()
    .tag(3, WireType.Bit64).fixed64(1544712660300000000n)
    .tag(4, WireType.Bit64).fixed64(3n)
    .tag(6, WireType.Bit64).fixed64(1n)
    .tag(6, WireType.Bit64).fixed64(2n)
    .tag(7, WireType.LengthDelimited).fork().double(1.5).join()
    .tag(99, WireType.Varint).uint64(123n)
    .tag(98, WireType.StartGroup).tag(1, WireType.Varint).int32(5).tag(98, WireType.EndGroup)
    .finish();
  const histogram = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(point)
    .tag(2, WireType.Varint).int32(2).finish();
  const metric = new BinaryWriter().tag(1, WireType.LengthDelimited).string("h")
    .tag(9, WireType.LengthDelimited).bytes(histogram).finish();
  const scope = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(metric).finish();
  const resource = new BinaryWriter().tag(2, WireType.LengthDelimited).bytes(scope).finish();
  const request = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(resource).finish();
  const [row] = decoded(METRICS_SIGNAL, request).rows;
  assert.deepEqual(row.bucketCounts, [1, 2]);
  assert.deepEqual(row.explicitBounds, [1.5]);
  assert.equal(row.count, 3);
  assert.equal(row.aggregationTemporality, 2);
  assert.equal(row.timestamp, "2018-12-13T14:51:00.300Z");
});

test("an empty protobuf body is an empty request: no rows, no raw line", () => {
  assert.deepEqual(decoded(TRACES_SIGNAL, new Uint8Array(0)), { raw: [], rows: [] });
});

test("attribute values nested deeper than the limit are a 400, not a stack overflow", () => {
  const value = nestedArrays(100_000);
  const kv = new BinaryWriter().tag(1, WireType.LengthDelimited).string("k")
    .tag(2, WireType.LengthDelimited).bytes(value).finish();
  const resource = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(kv).finish();
  const request = new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(
    new BinaryWriter().tag(1, WireType.LengthDelimited).bytes(resource).finish(),
  ).finish();
  assert.throws(() => decoded(LOGS_SIGNAL, request), (error: unknown) => {
    assert.ok(error instanceof OtlpError);
    assert.equal(error.status, 400);
    assert.match(error.message, /nested deeper than 64 levels/);
    return true;
  });
});

test("random bytes are a 400 (or, rarely, a valid empty-looking request), never a crash or another error", () => {
  let seed = 12345;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  let rejected = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = Uint8Array.from({ length: 1 + Math.floor(random() * 300) }, () => Math.floor(random() * 256));
    for (const signal of [TRACES_SIGNAL, METRICS_SIGNAL, LOGS_SIGNAL]) {
      try {
        decoded(signal, bytes);
      } catch (error) {
        assert.ok(error instanceof OtlpError, String(error));
        assert.equal(error.status, 400);
        rejected++;
      }
    }
  }
  assert.ok(rejected > 5000, `most random bodies are rejected (${rejected} of 6000)`);
});

/**
 * An `AnyValue` of `depth` arrays, each holding the next, written outside-in in one pass: every level is the bytes
 * `[5<<3|2, len, 1<<3|2, len']` in front of the level inside it (with a BinaryWriter per level, building it would
 * copy the inside each time).
 */
function nestedArrays(depth: number): Uint8Array {
  const leaf = new BinaryWriter().tag(1, WireType.LengthDelimited).string("leaf").finish();
  const varint = (n: number) => new BinaryWriter().uint32(n).finish();
  const prefixes: Uint8Array[] = [];
  let inner = leaf.length;
  for (let i = 0; i < depth; i++) {
    const valueLen = varint(inner);
    const array = 1 + valueLen.length + inner; // ArrayValue{values: inner}
    const arrayLen = varint(array);
    prefixes.push(Uint8Array.of(0x0a, ...valueLen), Uint8Array.of(0x2a, ...arrayLen));
    inner = 1 + arrayLen.length + array; // AnyValue{array_value: ...}
  }
  const out = new Uint8Array(inner);
  let offset = 0;
  for (let i = prefixes.length - 1; i >= 0; i--) {
    out.set(prefixes[i], offset);
    offset += prefixes[i].length;
  }
  out.set(leaf, offset);
  return out;
}

test("a resource or scope read after its records still reaches their rows; the raw line keeps each group's fields", () => {
  const LEN = WireType.LengthDelimited;
  const kv = new BinaryWriter().tag(1, LEN).string("service.name").tag(2, LEN).bytes(
    new BinaryWriter().tag(1, LEN).string("api").finish(),
  ).finish();
  const resource = new BinaryWriter().tag(1, LEN).bytes(kv).finish();
  const span = new BinaryWriter().tag(5, LEN).string("GET /").finish();
  // Wire order: schema URL, records, then the scope; then the resource after its scope groups.
  const scopeSpans = new BinaryWriter().tag(3, LEN).string("s-url").tag(2, LEN).bytes(span)
    .tag(1, LEN).bytes(new BinaryWriter().tag(1, LEN).string("lib").finish()).finish();
  const resourceSpans = new BinaryWriter().tag(2, LEN).bytes(scopeSpans).tag(1, LEN).bytes(resource)
    .tag(3, LEN).string("r-url").finish();
  const empty = new BinaryWriter().tag(3, LEN).string("only-url").finish();
  const request = new BinaryWriter().tag(1, LEN).bytes(resourceSpans).tag(1, LEN).bytes(empty).finish();

  const out = { raw: new JsonlBytes(), rows: new JsonlBytes() };
  assert.equal(encodeRequest(TRACES_SIGNAL, "protobuf", request, out).rows, 1);
  assert.equal(
    new TextDecoder().decode(out.raw.bytes()),
    '{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"api"}}]},' +
      '"schemaUrl":"r-url","scopeSpans":[{"schemaUrl":"s-url","scope":{"name":"lib"},"spans":[{"name":"GET /"}]}]},' +
      '{"schemaUrl":"only-url"}]}\n',
  );
  const [row] = decoded(TRACES_SIGNAL, request).rows;
  assert.equal(row.serviceName, "api");
  assert.deepEqual(row.scope, { name: "lib", attributes: {} });
});
