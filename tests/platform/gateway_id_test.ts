import assert from "node:assert/strict";
import os from "node:os";
import { test } from "node:test";
import {
  GATEWAY_ID_MAX_LENGTH,
  GATEWAY_ID_PATTERN,
  isValidGatewayId,
  resolveGatewayId,
  sanitizeGatewayId,
} from "../../platform/gateway_id.ts";

test("GATEWAY_ID_PATTERN is the reference pattern and the limit is 128", () => {
  assert.equal(GATEWAY_ID_PATTERN.source, "^[A-Za-z0-9][A-Za-z0-9._+@-]*$");
  assert.equal(GATEWAY_ID_MAX_LENGTH, 128);
});

test("isValidGatewayId() accepts ids of 1 to 128 allowed characters", () => {
  for (const id of ["a", "gw-1", "ada.lovelace+dev@example.com", "A_b", "9".repeat(128)]) {
    assert.equal(isValidGatewayId(id), true, id);
  }
});

test("isValidGatewayId() rejects everything else", () => {
  for (const id of ["", "_unknown", ".hidden", "-x", "a/b", "a b", "a\\b", "é", "9".repeat(129), 7, null, undefined]) {
    assert.equal(isValidGatewayId(id), false, String(id));
  }
});

const SANITIZED: [string, string][] = [
  ["ada", "ada"],
  ["Ada Lovelace", "Ada_Lovelace"],
  ["CORP\\ada", "CORP_ada"],
  ["ada/../../etc", "ada_.._.._etc"],
  [".hidden", "hidden"],
  ["__x", "x"],
  ["-._x", "x"],
  ["josé", "jos_"],
  ["🎉ada", "ada"],
  ["a🎉b", "a_b"],
  ["", "_unknown"],
  ["...", "_unknown"],
  ["éé", "_unknown"],
  ["a".repeat(200), "a".repeat(128)],
];

for (const [raw, expected] of SANITIZED) {
  test(`sanitizeGatewayId() turns ${JSON.stringify(raw.slice(0, 20))} into ${JSON.stringify(expected.slice(0, 20))}`, () => {
    const result = sanitizeGatewayId(raw);
    assert.equal(result, expected);
    if (result !== "_unknown") assert.equal(isValidGatewayId(result), true);
  });
}

test("resolveGatewayId() prefers config.gateway_id", () => {
  assert.equal(resolveGatewayId({ version: 1, gateway_id: "lab-7" }, "ada"), "lab-7");
});

test("resolveGatewayId() sanitizes the given user name", () => {
  assert.equal(resolveGatewayId({ version: 1 }, "Ada Lovelace"), "Ada_Lovelace");
  assert.equal(resolveGatewayId({ version: 1 }, ""), "_unknown");
});

test("resolveGatewayId() falls back to the OS user name", () => {
  assert.equal(resolveGatewayId({ version: 1 }), sanitizeGatewayId(os.userInfo().username));
});
