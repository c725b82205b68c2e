/**
 * The fast path's metrics: one OTLP/JSON metric to the rows `metricPointRows()` makes of it
 * (`../normalize/metrics.ts`), one per data point of a gauge, a sum or a histogram, written as `JSON.stringify` writes
 * them. A metric's name and unit may come after its data, and a sum's temporality after its points, so each point's
 * own fields are written first and the row is put together when the metric ends. Exponential histograms, summaries,
 * exemplars and a metric with two kinds of data are left to the general path.
 *
 * @module
 */
import { ByteWriter, utf8 } from "./byte_writer.ts";
import { FieldNames } from "./field_names.ts";
import { BAIL, type JsonScanner } from "./json_scanner.ts";
import { writeAttributes } from "./transcode_attributes.ts";
import type { Group } from "./transcode_request.ts";
import {
  hasIso,
  int32Field,
  skipMember,
  TextReader,
  TimeReader,
  writeDouble,
  writeInt64,
  writeIso,
  writeNumber,
} from "./transcode_values.ts";
import { TEMPORALITIES } from "../normalize/metrics.ts";
import { bool } from "../normalize/values.ts";

const METRIC = new FieldNames([
  "name",
  "description",
  "unit",
  "metadata",
  "gauge",
  "sum",
  "histogram",
  "exponentialHistogram",
  "summary",
]);
const DATA = new FieldNames(["dataPoints", "aggregationTemporality", "isMonotonic"]);
const POINT = new FieldNames([
  "attributes",
  "startTimeUnixNano",
  "timeUnixNano",
  "flags",
  "asDouble",
  "asInt",
  "exemplars",
  "count",
  "sum",
  "bucketCounts",
  "explicitBounds",
  "min",
  "max",
]);

const GAUGE = 4;
const SUM = 5;
const HISTOGRAM = 6;

const K = {
  serviceName: utf8('{"serviceName":'),
  metricName: utf8(',"metricName":'),
  emptyName: utf8(',"metricName":""'),
  description: utf8(',"description":'),
  unit: utf8(',"unit":'),
  resource: utf8(',"resource":'),
  scope: utf8(',"scope":'),
  metadata: utf8(',"metadata":'),
  gauge: utf8(',"metricType":"gauge"'),
  sum: utf8(',"metricType":"sum"'),
  histogram: utf8(',"metricType":"histogram"'),
  aggregationTemporality: utf8(',"aggregationTemporality":'),
  isMonotonic: utf8(',"isMonotonic":'),
  startTimestamp: utf8(',"startTimestamp":'),
  timestamp: utf8(',"timestamp":'),
  flags: utf8(',"flags":'),
  value: utf8(',"value":'),
  int: utf8(',"valueType":"int"'),
  double: utf8(',"valueType":"double"'),
  count: utf8(',"count":'),
  sumValue: utf8(',"sum":'),
  bucketCounts: utf8(',"bucketCounts":'),
  explicitBounds: utf8(',"explicitBounds":'),
  min: utf8(',"min":'),
  max: utf8(',"max":'),
  attributes: utf8(',"attributes":'),
  exemplars: utf8(',"exemplars":[]'),
  emptyObject: utf8("{}"),
  true: utf8("true"),
  false: utf8("false"),
  end: utf8("}\n"),
};

// Reused metric after metric (the fast path runs synchronously, one request at a time).
const name = new TextReader();
const description = new TextReader();
const unit = new TextReader();
const start = new TimeReader();
const time = new TimeReader();
/** The metric's metadata, once read. */
const metadata = new ByteWriter();
/** The points' own fields, each from `"startTimestamp"` (or what comes first) to its end. */
const points = new ByteWriter();
/** Where each point's fields end in `points`. */
let pointEnds: number[] = [];
/** A point's attributes and value, until the point is written. */
const attributes = new ByteWriter();
const value = new ByteWriter();
const histogram = new ByteWriter();

/** Writes the rows of the metric at the scanner; returns how many (one a data point). */
export function metricRecord(s: JsonScanner, group: Group, w: ByteWriter): number {
  const bytes = s.bytes;
  name.start = description.start = unit.start = -1;
  metadata.reset();
  metadata.constant(K.emptyObject);
  points.reset();
  pointEnds = [];
  let kind = -1;
  let temporality = 0;
  let monotonic = false;
  if (s.enterObject()) {
    do {
      s.key();
      const field = METRIC.of(s);
      if (field === 0) name.read(s, "metric.name");
      else if (field === 1) description.read(s, "metric.description");
      else if (field === 2) unit.read(s, "metric.unit");
      else if (field === 3) {
        metadata.reset();
        writeAttributes(s, metadata);
      } else if (field >= GAUGE) {
        if (s.null()) continue; // absent: the next kind of data is looked at
        // Another kind of data (the general path takes the first of its order), or one this path does not write.
        if (kind !== -1 || field > HISTOGRAM) throw BAIL;
        kind = field;
        [temporality, monotonic] = readData(s, kind);
      } else {
        skipMember(s);
      }
    } while (s.nextMember());
  }
  for (let i = 0, from = 0; i < pointEnds.length; from = pointEnds[i++]) {
    w.constant(K.serviceName);
    group.writeService(w);
    if (name.start === -1) w.constant(K.emptyName);
    else {
      w.constant(K.metricName);
      name.write(w, bytes);
    }
    if (description.start !== -1) {
      w.constant(K.description);
      description.write(w, bytes);
    }
    if (unit.start !== -1) {
      w.constant(K.unit);
      unit.write(w, bytes);
    }
    w.constant(K.resource);
    group.writeResource(w);
    w.constant(K.scope);
    group.writeScope(w);
    w.constant(K.metadata);
    w.range(metadata.buffer, 0, metadata.pos);
    w.constant(kind === GAUGE ? K.gauge : kind === SUM ? K.sum : K.histogram);
    if (kind !== GAUGE) {
      w.constant(K.aggregationTemporality);
      writeNumber(w, temporality);
    }
    if (kind === SUM) {
      w.constant(K.isMonotonic);
      w.constant(monotonic ? K.true : K.false);
    }
    w.range(points.buffer, from, pointEnds[i]);
    w.constant(K.end);
  }
  return pointEnds.length;
}

/** A gauge, sum or histogram: its points into `points`; resolves with its temporality and whether it is monotonic. */
function readData(s: JsonScanner, kind: number): [number, boolean] {
  let temporality = 0;
  let monotonic = false;
  let pointsSeen = false;
  if (!s.enterObject()) return [0, false];
  do {
    s.key();
    const field = DATA.of(s);
    if (field === 0) {
      if (pointsSeen) throw BAIL; // written as read: a second list (the general path keeps the last) is left to it
      pointsSeen = true;
      if (s.null() || !s.enterArray()) continue;
      do readPoint(s, kind); while (s.nextItem());
    } else if (field === 1 && kind !== GAUGE) {
      temporality = int32Field(s, "aggregationTemporality", TEMPORALITIES);
    } else if (field === 2 && kind === SUM) {
      const c = s.peek();
      monotonic = c === 0x74 || c === 0x66 ? s.boolean() : bool(s.value(), "isMonotonic");
    } else {
      skipMember(s);
    }
  } while (s.nextMember());
  return [temporality, monotonic];
}

/** One data point's fields (from the timestamps on) into `points`; a null point is an empty one. */
function readPoint(s: JsonScanner, kind: number): void {
  start.present = time.present = false;
  let flags = 0;
  let hasAttributes = false;
  /** 0: no value; 1: asDouble; 2: asInt (asDouble wins when both are there, as in the general path). */
  let valueKind = 0;
  let hasSum = false, hasMin = false, hasMax = false;
  let count = -1, sum = -1, min = -1, max = -1, buckets = -1, bounds = -1;
  value.reset();
  histogram.reset();
  attributes.reset();
  if (!s.null() && s.enterObject()) {
    do {
      s.key();
      const field = POINT.of(s);
      if (field === 0) {
        attributes.reset();
        writeAttributes(s, attributes);
        hasAttributes = true;
      } else if (field === 1) start.read(s);
      else if (field === 2) time.read(s);
      else if (field === 3) flags = int32Field(s, "flags");
      else if (field === 6) {
        // Exemplars: only an empty list is written here.
        if (!s.null() && s.enterArray()) throw BAIL;
      } else if (kind !== HISTOGRAM && (field === 4 || field === 5)) {
        if (s.null()) throw BAIL; // a null value: a row the general path writes with valueType but no value
        if (field === 4 || valueKind !== 1) {
          value.reset();
          if (field === 4) writeDouble(s, value, "asDouble");
          else writeInt64(s, value, "asInt");
          valueKind = field === 4 ? 1 : 2;
        } else {
          s.skip(); // asInt after asDouble: asDouble is the value
        }
      } else if (kind === HISTOGRAM && field >= 7) {
        if (s.null()) continue; // absent
        const from = histogram.pos;
        if (field === 7) writeInt64(s, histogram, "count", 0);
        else if (field === 9 || field === 10) writeNumbers(s, histogram, field === 9);
        else writeDouble(s, histogram, field === 8 ? "sum" : field === 11 ? "min" : "max");
        const at = pack(from, histogram.pos);
        if (field === 7) count = at;
        else if (field === 8) [sum, hasSum] = [at, true];
        else if (field === 9) buckets = at;
        else if (field === 10) bounds = at;
        else if (field === 11) [min, hasMin] = [at, true];
        else [max, hasMax] = [at, true];
      } else {
        skipMember(s);
      }
    } while (s.nextMember());
  }
  const w = points;
  if (hasIso(start.present, start.ms)) {
    w.constant(K.startTimestamp);
    writeIso(w, start.ms);
  }
  if (hasIso(time.present, time.ms)) {
    w.constant(K.timestamp);
    writeIso(w, time.ms);
  }
  w.constant(K.flags);
  writeNumber(w, flags);
  if (kind === HISTOGRAM) {
    w.constant(K.count);
    if (count === -1) w.byte(0x30);
    else copy(w, count);
    if (hasSum) {
      w.constant(K.sumValue);
      copy(w, sum);
    }
    w.constant(K.bucketCounts);
    if (buckets === -1) w.ascii("[]");
    else copy(w, buckets);
    w.constant(K.explicitBounds);
    if (bounds === -1) w.ascii("[]");
    else copy(w, bounds);
    if (hasMin) {
      w.constant(K.min);
      copy(w, min);
    }
    if (hasMax) {
      w.constant(K.max);
      copy(w, max);
    }
  } else if (valueKind !== 0) {
    w.constant(K.value);
    w.range(value.buffer, 0, value.pos);
    w.constant(valueKind === 1 ? K.double : K.int);
  }
  w.constant(K.attributes);
  if (hasAttributes) w.range(attributes.buffer, 0, attributes.pos);
  else w.constant(K.emptyObject);
  w.constant(K.exemplars);
  pointEnds.push(w.pos);
}

/** A range of `histogram` as one number (the buffer stays far below 2^26 bytes for a point, or the body is left). */
function pack(from: number, to: number): number {
  if (to >= 1 << 26) throw BAIL;
  return from * (1 << 26) + to;
}

function copy(w: ByteWriter, packed: number): void {
  const to = packed % (1 << 26);
  w.range(histogram.buffer, (packed - to) / (1 << 26), to);
}

/** `bucketCounts` (int64s) or `explicitBounds` (doubles) as a JSON array; a null element is left to the general path. */
function writeNumbers(s: JsonScanner, w: ByteWriter, integers: boolean): void {
  if (!s.enterArray()) {
    w.ascii("[]");
    return;
  }
  w.byte(0x5b);
  let first = true;
  do {
    if (!first) w.byte(0x2c);
    first = false;
    if (s.null()) throw BAIL;
    if (integers) writeInt64(s, w, "bucketCounts");
    else writeDouble(s, w, "explicitBounds");
  } while (s.nextItem());
  w.byte(0x5d);
}
