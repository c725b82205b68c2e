/**
 * The environment file parser: the syntax systemd's EnvironmentFile= and `ctvs --env-file` read alike, and a clear
 * error naming the line for anything else.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { applyEnv, exposedToOthers, parseEnvFile } from "../../platform/env_file.ts";

test("parseEnvFile() reads names, comments, blank lines and quoted values", () => {
  const text = [
    "\uFEFF# the daemon's secrets",
    "; also a comment",
    "",
    "AWS_ACCESS_KEY_ID=AKIAEXAMPLE",
    "  AWS_SECRET_ACCESS_KEY = wJalr/K7MDENG+bPxRfiCY  ",
    'QUOTED="a \\"b\\" \\\\ \\$HOME \\n"',
    "SINGLE='it has \\ and \"'",
    "HASH=abc#def",
    "EMPTY=",
    "_under_score1=x",
  ].join("\r\n");
  assert.deepEqual(parseEnvFile(text), {
    AWS_ACCESS_KEY_ID: "AKIAEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalr/K7MDENG+bPxRfiCY",
    QUOTED: 'a "b" \\ $HOME \\n',
    SINGLE: 'it has \\ and "',
    HASH: "abc#def",
    EMPTY: "",
    _under_score1: "x",
  });
});

test("parseEnvFile() names the line of what systemd would read differently", () => {
  const cases: [string, RegExp][] = [
    ["A=1\nexport B=2", /^line 2: "export" is not supported/],
    ["JUSTTEXT", /^line 1: expected NAME=value$/],
    ["1A=x", /^line 1: "1A" is not a variable name/],
    ["A-B=x", /^line 1: "A-B" is not a variable name/],
    ['A="open', /^line 1: the value has no closing "$/],
    ["A='x' y", /^line 1: text after the closing '$/],
    ["A=continued \\", /^line 1: a value cannot continue on the next line$/],
  ];
  for (const [text, message] of cases) assert.throws(() => parseEnvFile(text), { name: "SyntaxError", message }, text);
});

test("applyEnv() keeps variables that are already set; exposedToOthers() looks at group and other bits", () => {
  const env: Record<string, string | undefined> = { KEEP: "mine" };
  assert.deepEqual(applyEnv({ KEEP: "file", NEW: "file" }, env), ["NEW"]);
  assert.deepEqual(env, { KEEP: "mine", NEW: "file" });
  assert.equal(exposedToOthers(0o600), false);
  assert.equal(exposedToOthers(0o400), false);
  assert.equal(exposedToOthers(0o640), process.platform !== "win32");
  assert.equal(exposedToOthers(0o604), process.platform !== "win32");
});
