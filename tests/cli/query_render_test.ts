/**
 * The table renderer with text that is not ASCII: columns align by display width (CJK and emoji take two columns),
 * cuts never split a surrogate pair or a grapheme, and control characters cannot reach the terminal.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import stringWidth from "string-width";
import { renderRows } from "../../cli/query/rows.ts";
import { captureIo } from "../platform/daemon/_fake_host.ts";

async function table(rows: string[][], columns = ["name", "note"]): Promise<string[]> {
  const io = captureIo();
  await renderRows(columns.map((c) => [c, "VARCHAR"]), rows, "table", io);
  return io.stdout;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

test("table: CJK and emoji cells align by display width", async () => {
  assert.deepEqual(await table([["日本語", "ok"], ["👩‍👩‍👧 family", "x"], ["abc", "y"], ["café", "z"]]), [
    "name       note",
    "---------  ----",
    "日本語     ok",
    "👩‍👩‍👧 family  x",
    "abc        y",
    "café       z",
    "(4 rows)",
  ]);
});

test("table: a long cell is cut at 80 columns between graphemes", async () => {
  const [, , emoji, accents, cjk] = await table([["😀".repeat(100)], ["e\u0301".repeat(100)], ["表".repeat(100)]], [
    "x",
  ]);
  assert.equal(emoji, `${"😀".repeat(39)}…`);
  assert.equal(accents, `${"e\u0301".repeat(79)}…`);
  assert.equal(cjk, `${"表".repeat(39)}…`);
  for (const line of [emoji, accents, cjk]) {
    assert.doesNotMatch(line, LONE_SURROGATE);
    assert.ok(stringWidth(line) <= 80, line);
  }
});

test("table: control characters are shown escaped, line breaks and tabs as one space", async () => {
  assert.deepEqual(await table([["red\u001b[31m", "a\r\n\tb\u0007"]]), [
    "name           note",
    "-------------  ---------",
    "red\\u001b[31m  a b\\u0007",
    "(1 row)",
  ]);
});
