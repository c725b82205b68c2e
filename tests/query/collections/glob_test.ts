/**
 * Collection globs: picomatch's documented semantics, with dot files matched and the walk root found.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { compileGlob } from "../../../query/collections/glob.ts";

test("compileGlob() lets ** match no folder at all, or any number", () => {
  const glob = compileGlob("/data/**/*.jsonl");
  assert.equal(glob.root, "/data");
  for (const file of ["/data/x.jsonl", "/data/a/x.jsonl", "/data/a/b/c/x.jsonl"]) assert.ok(glob.matches(file), file);
  for (const file of ["/data/x.json", "/other/x.jsonl", "/data.jsonl"]) assert.ok(!glob.matches(file), file);
});

test("compileGlob() keeps * and ? within a name, and ** inside a name is a *", () => {
  assert.ok(compileGlob("/d/*.jsonl").matches("/d/x.jsonl"));
  assert.ok(!compileGlob("/d/*.jsonl").matches("/d/a/x.jsonl"));
  assert.ok(compileGlob("/d/run-?.jsonl").matches("/d/run-1.jsonl"));
  assert.ok(!compileGlob("/d/run-?.jsonl").matches("/d/run-10.jsonl"));
  assert.ok(compileGlob("/d/**.jsonl").matches("/d/x.jsonl"));
  assert.ok(!compileGlob("/d/**.jsonl").matches("/d/a/x.jsonl"));
});

test("compileGlob() has classes, alternatives and escapes, and matches dot files", () => {
  const glob = compileGlob("/d/{runs,logs}/day-[0-9].jsonl");
  assert.equal(glob.root, "/d");
  assert.ok(glob.matches("/d/runs/day-1.jsonl"));
  assert.ok(glob.matches("/d/logs/day-9.jsonl"));
  assert.ok(!glob.matches("/d/other/day-1.jsonl"));
  assert.ok(!glob.matches("/d/runs/day-a.jsonl"));
  assert.ok(compileGlob("/d/\\*.jsonl").matches("/d/*.jsonl"));
  assert.ok(!compileGlob("/d/\\*.jsonl").matches("/d/x.jsonl"));
  assert.ok(compileGlob("/home/me/**/*.jsonl").matches("/home/me/.claude/projects/p/s.jsonl"));
});

test("compileGlob() walks from the folder of a pattern without a wildcard, or from / for a leading one", () => {
  assert.deepEqual(compileGlob("/d/x.jsonl").root, "/d");
  assert.ok(compileGlob("/d/x.jsonl").matches("/d/x.jsonl"));
  assert.equal(compileGlob("/**/x.jsonl").root, "/");
});
