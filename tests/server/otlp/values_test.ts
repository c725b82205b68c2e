import assert from "node:assert/strict";
import { test } from "node:test";
import { OtlpError } from "../../../server/otlp/otlp_error.ts";
import { anyValue, attributes, double, hexId, int32, int64 } from "../../../server/otlp/normalize/values.ts";

const isBadData = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof OtlpError);
  assert.equal(error.status, 400);
  assert.match(error.message, pattern);
  return true;
};

test("hexId() takes hex in any case and base64 of the id's size (padded or not, URL-safe), and refuses the rest", () => {
  assert.equal(hexId("5B8EFFF798038103D269B633813FC60C", "traceId", 16), "5b8efff798038103d269b633813fc60c");
  assert.equal(hexId("W47/95gDgQPSabYzgT/GDA==", "traceId", 16), "5b8efff798038103d269b633813fc60c");
  assert.equal(hexId("7uGbfsPBsXQ=", "spanId", 8), "eee19b7ec3c1b174");
  assert.equal(hexId("7uGbfsPBsXQ", "spanId", 8), "eee19b7ec3c1b174");
  assert.equal(hexId("__________8", "spanId", 8), "ffffffffffffffff");
  assert.equal(hexId("", "spanId", 8), undefined);
  assert.equal(hexId(undefined, "spanId", 8), undefined);
  assert.throws(() => hexId("not an id!", "spanId", 8), isBadData(/spanId is neither hex nor base64 of 8 bytes/));
  assert.throws(() => hexId("zz", "spanId", 8), isBadData(/spanId/), "valid base64, but of 1 byte");
  assert.throws(() => hexId("7uGbfsPBsXQ=", "traceId", 16), isBadData(/traceId/), "base64 of 8 bytes");
  assert.throws(() => hexId(42, "traceId", 16), isBadData(/traceId/));
});

test("int64() keeps safe integers as numbers and larger ones as exact decimal strings", () => {
  assert.equal(int64("42", "x"), 42);
  assert.equal(int64(-7, "x"), -7);
  assert.equal(int64("9007199254740991", "x"), 9007199254740991);
  assert.equal(int64("9007199254740993", "x"), "9007199254740993");
  assert.equal(int64("-09223372036854775808", "x"), "-9223372036854775808");
  assert.equal(int64(undefined, "x", 0), 0);
  assert.throws(() => int64("1.5", "asInt"), isBadData(/asInt is not an integer/));
  assert.throws(() => int64(1.5, "asInt"), isBadData(/asInt/));
  assert.throws(() => int64(true, "asInt"), isBadData(/asInt/));
});

test("double() reads numbers and proto3's strings; non-finite values are written as null", () => {
  assert.equal(double(1.25, "d"), 1.25);
  assert.equal(double("1.25", "d"), 1.25);
  assert.equal(double("NaN", "d"), null);
  assert.equal(double("-Infinity", "d"), null);
  assert.equal(double(undefined, "d"), undefined);
  for (const bad of ["", "abc", "constructor", true, {}]) assert.throws(() => double(bad, "sum"), isBadData(/sum/));
});

test("int32() reads enums as integers, numeric strings or value names", () => {
  assert.equal(int32(2, "kind", ["A", "B", "C"]), 2);
  assert.equal(int32("C", "kind", ["A", "B", "C"]), 2);
  assert.equal(int32("1", "kind"), 1);
  assert.equal(int32(undefined, "kind"), 0);
  assert.throws(() => int32("D", "kind", ["A"]), isBadData(/kind/));
});

test("anyValue() converts every kind; an empty value is null", () => {
  assert.deepEqual(
    anyValue({ arrayValue: { values: [{ stringValue: "a" }, { boolValue: false }, {}, { bytesValue: "AQI=" }] } }),
    ["a", false, null, "AQI="],
  );
  assert.deepEqual(anyValue({ kvlistValue: { values: [{ key: "x", value: { doubleValue: 2 } }] } }), { x: 2 });
  assert.deepEqual(anyValue({ kvlistValue: {} }), {});
  assert.deepEqual(anyValue({ arrayValue: {} }), []);
  assert.equal(anyValue({}), null);
  assert.throws(() => anyValue({ stringValue: 5 }), isBadData(/stringValue is not a string/));
  assert.throws(() => anyValue("text"), isBadData(/AnyValue is not an object/));
});

test("anyValue() refuses values nested deeper than 64 levels", () => {
  let value: unknown = { stringValue: "leaf" };
  for (let i = 0; i < 64; i++) value = { arrayValue: { values: [value] } };
  assert.equal(JSON.stringify(anyValue(value)).split("[").length - 1, 64);
  assert.throws(() => anyValue({ arrayValue: { values: [value] } }), isBadData(/nested deeper than 64 levels/));
});

test("attributes() makes a plain object: later duplicates win, __proto__ is an ordinary key, no value is null", () => {
  const out = attributes([
    { key: "a", value: { intValue: "1" } },
    { key: "a", value: { intValue: "2" } },
    { key: "__proto__", value: { stringValue: "x" } },
    { key: "none" },
  ]);
  assert.deepEqual(Object.keys(out), ["a", "__proto__", "none"]);
  assert.equal(out.a, 2);
  assert.equal(Object.getPrototypeOf(out), Object.prototype);
  assert.equal(JSON.stringify(out), '{"a":2,"__proto__":"x","none":null}');
  assert.deepEqual(attributes(undefined), {});
  assert.throws(() => attributes({}), isBadData(/attributes is not an array/));
  assert.throws(() => attributes([{ value: {} }]), isBadData(/attribute key is not a string/));
});
