import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultConfig } from "../../../platform/config/default_config.ts";
import { validateConfig } from "../../../platform/config/validate.ts";
import { defaultSinkDir } from "../../../platform/paths.ts";

test("defaultConfig() passes strict validation without warnings", () => {
  assert.deepEqual(validateConfig(defaultConfig(), { strict: true }).warnings, []);
});

test("defaultConfig() is the embedded default", () => {
  assert.deepEqual(defaultConfig(), {
    version: 1,
    otel: { listen: "127.0.0.1:4318" },
    proxy: {
      listen: "127.0.0.1:8787",
      upstreams: [
        { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } },
        { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } },
      ],
    },
    sink: { type: "file", dir: defaultSinkDir() },
    query: { cache: { enabled: true } },
  });
});

test("defaultConfig() returns a fresh object each time", () => {
  const first = defaultConfig();
  first.proxy!.upstreams.pop();
  assert.equal(defaultConfig().proxy!.upstreams.length, 2);
});
