import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../platform/config/config_error.ts";
import { parseConfigText } from "../../../platform/config/parse_jsonc.ts";

test("parseConfigText() accepts line and block comments and trailing commas", () => {
  const text = [
    "// collectivus config",
    "{",
    '  "version": 1, /* the only version */',
    '  "proxy": {',
    '    "upstreams": [',
    '      { "name": "a", }, // trailing comma in an object',
    "    ], // and in an array",
    "  },",
    "}",
  ].join("\n");
  assert.deepEqual(parseConfigText(text, "c.json"), { version: 1, proxy: { upstreams: [{ name: "a" }] } });
});

test("parseConfigText() skips a byte order mark", () => {
  assert.deepEqual(parseConfigText('\uFEFF{"version": 1}', "c.json"), { version: 1 });
});

test("parseConfigText() keeps __proto__ as a plain key", () => {
  const value = parseConfigText('{"__proto__": {"polluted": true}}', "c.json") as Record<string, unknown>;
  assert.deepEqual(Object.keys(value), ["__proto__"]);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

/** [name, text, exact message] for source `c.json`. */
const ERRORS: [string, string, string][] = [
  ["a missing value", '{\n  "version": }', "invalid JSON in c.json at line 2, column 14: expected a value"],
  [
    "a missing closing brace",
    '{"version": 1',
    'invalid JSON in c.json at line 1, column 14: unexpected end of input (expected "}")',
  ],
  [
    "a missing closing bracket at the end of a later line",
    '{"a": [1,\n2',
    'invalid JSON in c.json at line 2, column 2: unexpected end of input (expected "]")',
  ],
  [
    "input ending after a colon",
    '{"a":\n',
    "invalid JSON in c.json at line 2, column 1: unexpected end of input (expected a value)",
  ],
  ["a missing colon", '{"a": 1,\n "b" 2}', 'invalid JSON in c.json at line 2, column 6: expected ":"'],
  ["a missing comma", '{"a": 1\n  "b": 2}', 'invalid JSON in c.json at line 2, column 3: expected ","'],
  ["an unquoted key", "{a: 1}", 'invalid JSON in c.json at line 1, column 2: unexpected "a"'],
  ["a misspelled literal", '{"a": tru}', 'invalid JSON in c.json at line 1, column 7: unexpected "tru"'],
  ["a newline in a string", '{"a": "x\ny"}', "invalid JSON in c.json at line 1, column 7: unterminated string"],
  ["a bad escape", '{"a": "\\q"}', "invalid JSON in c.json at line 1, column 7: invalid escape character"],
  ["an unterminated comment", "{} /* note", "invalid JSON in c.json at line 1, column 4: unterminated comment"],
  [
    "a second document",
    '{"a": 1}\n{"b": 2}',
    "invalid JSON in c.json at line 2, column 1: unexpected content after the end of the document",
  ],
  ["columns counted in characters", '{"é🎉": x}', 'invalid JSON in c.json at line 1, column 8: unexpected "x"'],
  ["CRLF line ends", '{\r\n  "a": }', "invalid JSON in c.json at line 2, column 8: expected a value"],
  ["an empty text", "", "invalid JSON in c.json: the document is empty"],
  [
    "only whitespace and comments",
    "  \n// nothing here\n/* at all */\n",
    "invalid JSON in c.json: the document is empty",
  ],
];

for (const [name, text, message] of ERRORS) {
  test(`parseConfigText() reports ${name}`, () => {
    assert.throws(() => parseConfigText(text, "c.json"), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, message);
      return true;
    });
  });
}

test("parseConfigText() names the source label in errors", () => {
  assert.throws(() => parseConfigText("{", "env:CTVS_CONFIG"), {
    message: 'invalid JSON in env:CTVS_CONFIG at line 1, column 2: unexpected end of input (expected "}")',
  });
});
