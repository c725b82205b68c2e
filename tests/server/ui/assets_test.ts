import assert from "node:assert/strict";
import { test } from "node:test";
import { uiSourceHash } from "../../../scripts/build_ui.ts";
import { UI_ASSETS, UI_SOURCE_HASH } from "../../../server/ui/assets.gen.ts";

test("server/ui/assets.gen.ts is built from the current ui/ sources (else: deno task build:ui)", async () => {
  assert.equal(UI_SOURCE_HASH, await uiSourceHash(), "ui/ changed since the last build: run deno task build:ui");
});

test("the embedded page loads only its own script and stylesheet, with the token", () => {
  assert.match(UI_ASSETS.html, /src="\/assets\/app\.js\?token=__CTVS_TOKEN__"/);
  assert.match(UI_ASSETS.html, /href="\/assets\/app\.css\?token=__CTVS_TOKEN__"/);
  // No address of another host anywhere in what the page loads: nothing is fetched from a CDN.
  for (const [name, text] of Object.entries(UI_ASSETS)) {
    assert.doesNotMatch(text, /(src|href)=["']?(https?:)?\/\//, name);
    assert.doesNotMatch(text, /@import\s+url\(/, name);
  }
  assert.ok(UI_ASSETS.js.length > 20_000, "the bundle holds Preact and uPlot");
  assert.match(UI_ASSETS.css, /\.uplot/);
});
