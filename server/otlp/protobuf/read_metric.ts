/**
 * A `Metric` message to its OTLP/JSON form, with its data points, read in one pass. The metric and the five data
 * point messages are read through one table per message: tag -> what to do with the field.
 *
 * @module
 */
import type { OtlpReader } from "./otlp_reader.ts";
import { done, double, I64, type Json, LEN, nestedEnd, pushKeyValue, skip, tag, VARINT } from "./wire.ts";

/** Reads one field (its tag already read) of a message ending at `end` into `into`. */
type FieldReader = (r: OtlpReader, into: Json, end: number) => void;
/** How to read a message: a reader per tag (`field << 3 | wireType`); other tags are skipped. */
type Layout = Record<number, FieldReader>;

const fixed64 = (r: OtlpReader) => r.fixed64Decimal();
const uint64 = (r: OtlpReader) => String(r.uint64());
const key = (field: number, wire: number) => (field << 3) | wire;
const list = (into: Json, name: string) => (into[name] ??= []) as Json[];
const attributesAt = (name: string): FieldReader => (r, into, end) => {
  into[name] = pushKeyValue(r, end, into[name] as Json[] | undefined);
};
const at = (name: string, read: (r: OtlpReader) => unknown): FieldReader => (r, into) => {
  into[name] = read(r);
};
const nested = (name: string, layout: Layout, repeat: boolean): FieldReader => (r, into, end) => {
  const value = read(r, nestedEnd(r, end), layout);
  if (repeat) list(into, name).push(value);
  else into[name] = value;
};
// Repeated scalars come packed (one LEN field holding them all) or one per tag: parsers must accept both.
const scalars =
  (name: string, readOne: (r: OtlpReader) => unknown, isPacked: boolean): FieldReader => (r, into, end) => {
    const out = (into[name] ??= []) as unknown[];
    if (!isPacked) return void out.push(readOne(r));
    const stop = nestedEnd(r, end);
    while (r.pos < stop) out.push(readOne(r));
    done(r, stop);
  };

const EXEMPLAR: Layout = {
  [key(7, LEN)]: attributesAt("filteredAttributes"),
  [key(2, I64)]: at("timeUnixNano", (r) => r.fixed64Decimal()),
  [key(3, I64)]: at("asDouble", double),
  [key(6, I64)]: at("asInt", (r) => r.sfixed64Decimal()),
  [key(4, LEN)]: at("spanId", (r) => r.hexId()),
  [key(5, LEN)]: at("traceId", (r) => r.hexId()),
};
const TIMES: Layout = {
  [key(2, I64)]: at("startTimeUnixNano", (r) => r.fixed64Decimal()),
  [key(3, I64)]: at("timeUnixNano", (r) => r.fixed64Decimal()),
};
const NUMBER_POINT: Layout = {
  ...TIMES,
  [key(7, LEN)]: attributesAt("attributes"),
  [key(4, I64)]: at("asDouble", double),
  [key(6, I64)]: at("asInt", (r) => r.sfixed64Decimal()),
  [key(5, LEN)]: nested("exemplars", EXEMPLAR, true),
  [key(8, VARINT)]: at("flags", (r) => r.uint32()),
};
const HISTOGRAM_POINT: Layout = {
  ...TIMES,
  [key(9, LEN)]: attributesAt("attributes"),
  [key(4, I64)]: at("count", fixed64),
  [key(5, I64)]: at("sum", double),
  [key(6, I64)]: scalars("bucketCounts", fixed64, false),
  [key(6, LEN)]: scalars("bucketCounts", fixed64, true),
  [key(7, I64)]: scalars("explicitBounds", double, false),
  [key(7, LEN)]: scalars("explicitBounds", double, true),
  [key(8, LEN)]: nested("exemplars", EXEMPLAR, true),
  [key(10, VARINT)]: at("flags", (r) => r.uint32()),
  [key(11, I64)]: at("min", double),
  [key(12, I64)]: at("max", double),
};
const BUCKETS: Layout = {
  [key(1, VARINT)]: at("offset", (r) => r.sint32()),
  [key(2, VARINT)]: scalars("bucketCounts", uint64, false),
  [key(2, LEN)]: scalars("bucketCounts", uint64, true),
};
const EXPONENTIAL_POINT: Layout = {
  ...TIMES,
  [key(1, LEN)]: attributesAt("attributes"),
  [key(4, I64)]: at("count", fixed64),
  [key(5, I64)]: at("sum", double),
  [key(6, VARINT)]: at("scale", (r) => r.sint32()),
  [key(7, I64)]: at("zeroCount", fixed64),
  [key(8, LEN)]: nested("positive", BUCKETS, false),
  [key(9, LEN)]: nested("negative", BUCKETS, false),
  [key(10, VARINT)]: at("flags", (r) => r.uint32()),
  [key(11, LEN)]: nested("exemplars", EXEMPLAR, true),
  [key(12, I64)]: at("min", double),
  [key(13, I64)]: at("max", double),
  [key(14, I64)]: at("zeroThreshold", double),
};
const QUANTILE: Layout = { [key(1, I64)]: at("quantile", double), [key(2, I64)]: at("value", double) };
const SUMMARY_POINT: Layout = {
  ...TIMES,
  [key(7, LEN)]: attributesAt("attributes"),
  [key(4, I64)]: at("count", fixed64),
  [key(5, I64)]: at("sum", double),
  [key(6, LEN)]: nested("quantileValues", QUANTILE, true),
  [key(8, VARINT)]: at("flags", (r) => r.uint32()),
};
const temporality = at("aggregationTemporality", (r) => r.int32());
const GAUGE: Layout = { [key(1, LEN)]: nested("dataPoints", NUMBER_POINT, true) };
const SUM: Layout = { ...GAUGE, [key(2, VARINT)]: temporality, [key(3, VARINT)]: at("isMonotonic", (r) => r.bool()) };
const HISTOGRAM: Layout = { [key(1, LEN)]: nested("dataPoints", HISTOGRAM_POINT, true), [key(2, VARINT)]: temporality };
const EXPONENTIAL: Layout = {
  [key(1, LEN)]: nested("dataPoints", EXPONENTIAL_POINT, true),
  [key(2, VARINT)]: temporality,
};
const SUMMARY: Layout = { [key(1, LEN)]: nested("dataPoints", SUMMARY_POINT, true) };
// A metric carries one kind of data (a oneof): reading one clears the others, the last on the wire wins.
const DATA_KINDS = ["gauge", "sum", "histogram", "exponentialHistogram", "summary"];
const oneData = (name: string, layout: Layout): FieldReader => (r, into, end) => {
  for (const kind of DATA_KINDS) delete into[kind];
  into[name] = read(r, nestedEnd(r, end), layout);
};
const METRIC: Layout = {
  [key(1, LEN)]: at("name", (r) => r.text()),
  [key(2, LEN)]: at("description", (r) => r.text()),
  [key(3, LEN)]: at("unit", (r) => r.text()),
  [key(5, LEN)]: oneData("gauge", GAUGE),
  [key(7, LEN)]: oneData("sum", SUM),
  [key(9, LEN)]: oneData("histogram", HISTOGRAM),
  [key(10, LEN)]: oneData("exponentialHistogram", EXPONENTIAL),
  [key(11, LEN)]: oneData("summary", SUMMARY),
  [key(12, LEN)]: attributesAt("metadata"),
};

/** Reads a message ending at `end` by its layout. */
function read(r: OtlpReader, end: number, layout: Layout): Json {
  const out: Json = {};
  while (r.pos < end) {
    const t = tag(r);
    const field = layout[t];
    if (field) field(r, out, end);
    else skip(r, t);
  }
  done(r, end);
  return out;
}

/**
 * Reads the `Metric` message ending at `end`. Throws an `OtlpError` (400) or the reader's own error on malformed
 * input; the caller turns both into a 400.
 */
export function readMetric(r: OtlpReader, end: number): Json {
  return read(r, end, METRIC);
}
