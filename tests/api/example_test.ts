/**
 * The API example of docs/api.md under Deno, from this repository's `mod.ts` (deno.json maps `collectivus` to it), as
 * written: both listeners, a log record and an Anthropic request through a local fake of the API. The same file runs
 * under Node from the npm package in tests/npm/package_test.ts.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { test } from "node:test";
import { startFakeUpstream } from "../fixtures/fake_upstream.ts";
import { apiExample, assertExampleOutput } from "../helpers/api_example.ts";
import { ROOT, runToEnd, tempDir } from "../helpers/child.ts";

test("the API example of docs/api.md runs under Deno from mod.ts", async () => {
  const dir = await tempDir();
  const fake = await startFakeUpstream();
  try {
    await fs.writeFile(path.join(dir.dir, "api_example.mjs"), await apiExample());
    const result = await runToEnd(
      process.execPath,
      ["run", "--allow-all", "--quiet", "--config", path.join(ROOT, "deno.json"), "api_example.mjs"],
      { cwd: dir.dir, env: { HOME: dir.dir, ANTHROPIC_UPSTREAM: fake.url, ANTHROPIC_API_KEY: "sk-test" } },
    );
    assert.equal(result.code, 0, result.stderr);
    assertExampleOutput(result.stdout);
    const [gateway] = await fs.readdir(path.join(dir.dir, "recordings"));
    const day = `${new Date().toISOString().slice(0, 10)}.jsonl`;
    const proxy = (await fs.readFile(path.join(dir.dir, "recordings", gateway, "proxy", day), "utf8")).trim();
    const exchange = proxy.split("\n").map((line) => JSON.parse(line)).find((row) => row.kind === "exchange");
    assert.equal(exchange.request.headers["x-api-key"], "REDACTED:test", "the key is redacted in the recording");
    assert.equal(fake.requests[0].headers["x-api-key"], "sk-test", "and forwarded as sent");
  } finally {
    await fake.close();
    await dir.remove();
  }
});
