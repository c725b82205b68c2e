/**
 * The statement boundaries of TOML documents: strings, comments and brackets decide where a value ends.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { tomlStatements } from "../../../platform/codex/toml_statements.ts";

function shape(text: string): [string, number, number][] {
  return tomlStatements(text.split("\n")).map((s) => [s.kind, s.start, s.end]);
}

test("tomlStatements() ends a multiline string at its delimiter, with escaped and extra quotes inside", () => {
  assert.deepEqual(shape('a = """x\\"""\n[t]\n"""\nb = """y""""\n[u]'), [
    ["value", 0, 3],
    ["value", 3, 4],
    ["table", 4, 5],
  ]);
  assert.deepEqual(shape("a = '''x\\'''\n[t]"), [["value", 0, 1], ["table", 1, 2]]);
});

test("tomlStatements() ignores brackets and quotes in strings and comments", () => {
  assert.deepEqual(shape('a = "[" # ["\nb = \'{\' # """\n[t] # ]]\nc = 1'), [
    ["value", 0, 1],
    ["value", 1, 2],
    ["table", 2, 3],
    ["value", 3, 4],
  ]);
});

test("tomlStatements() keeps multiline arrays and inline tables whole", () => {
  assert.deepEqual(shape('a = [\n  # [x]\n  [1],\n]\nb = {\n  c = "}",\n}\n  [t]'), [
    ["value", 0, 4],
    ["value", 4, 7],
    ["table", 7, 8],
  ]);
});

test("tomlStatements() gives blank and comment lines one statement each", () => {
  assert.deepEqual(shape("# a\n\n  # b\n   "), [["comment", 0, 1], ["blank", 1, 2], ["comment", 2, 3], [
    "blank",
    3,
    4,
  ]]);
});
