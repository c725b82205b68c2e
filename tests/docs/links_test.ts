/**
 * Every relative link and anchor of README.md, docs/*.md and the npm package's README resolves, so a renamed file or
 * heading cannot leave a dead link behind.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { ROOT } from "../helpers/child.ts";
import { brokenLinks } from "../helpers/markdown_links.ts";

async function markdownFiles(): Promise<string[]> {
  const docs = (await fs.readdir(path.join(ROOT, "docs"))).filter((f) => f.endsWith(".md")).map((f) => `docs/${f}`);
  return ["README.md", ...docs.sort()].map((f) => path.join(ROOT, f));
}

test("README.md and docs/*.md: every relative link names a file that exists, and every anchor a heading of it", async () => {
  const files = await markdownFiles();
  assert.ok(files.length > 10, files.join(", "));
  const problems = (await Promise.all(files.map(brokenLinks))).flat().map((p) => path.relative(ROOT, p));
  assert.deepEqual(problems, []);
});

test("the link check finds a missing file and a missing anchor", async () => {
  const dir = await fs.mkdtemp(path.join(ROOT, ".tmp", "links-"));
  try {
    await fs.writeFile(path.join(dir, "b.md"), "# B\n\n## Some `code`: here\n");
    const a = path.join(dir, "a.md");
    await fs.writeFile(a, "[ok](b.md#some-code-here) [gone](c.md) [bad](b.md#nope) [self](#a) [top](#top)\n\n# A\n");
    assert.deepEqual(await brokenLinks(a), [
      `${a}:1: c.md: ${path.relative(process.cwd(), path.join(dir, "c.md"))} does not exist`,
      `${a}:1: b.md#nope: no heading has the anchor #nope`,
      `${a}:1: #top: no heading has the anchor #top`,
    ]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
});
