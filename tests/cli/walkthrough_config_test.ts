/**
 * The walkthrough's pure parts (answers to config) and its existing-config branch, in process with scripted replies.
 */
import assert from "node:assert/strict";
import fs from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { runWalkthrough } from "../../cli/walkthrough.ts";
import { parseSources, parseUpstreams, walkthroughConfig } from "../../cli/walkthrough_config.ts";
import { captureIo, fakeHost } from "../platform/daemon/_fake_host.ts";

test("parseSources() reads numbers, names and lists; parseUpstreams() reads provider lists", () => {
  assert.deepEqual(parseSources(""), { proxy: true, otlp: false, gascity: false });
  assert.deepEqual(parseSources("2"), { proxy: false, otlp: true, gascity: false });
  assert.deepEqual(parseSources("proxy, otlp"), { proxy: true, otlp: true, gascity: false });
  assert.deepEqual(parseSources(" ALL "), { proxy: true, otlp: true, gascity: false });
  assert.equal(parseSources("4"), undefined);
  assert.equal(parseSources("gascity"), undefined);
  assert.equal(parseSources("5"), undefined);
  // With a Gas City on offer: its number and names, in lists, and `all` or 5 take it in.
  assert.deepEqual(parseSources("4", true), { proxy: false, otlp: false, gascity: true });
  assert.deepEqual(parseSources("otel gc", true), { proxy: false, otlp: true, gascity: true });
  assert.deepEqual(parseSources("3", true), { proxy: true, otlp: true, gascity: false });
  assert.deepEqual(parseSources("all", true), { proxy: true, otlp: true, gascity: true });
  assert.deepEqual(parseSources("5", true), { proxy: true, otlp: true, gascity: true });
  assert.equal(parseSources("6", true), undefined);
  assert.deepEqual(parseUpstreams(""), ["anthropic"]);
  assert.deepEqual(parseUpstreams("openai anthropic,openai"), ["openai", "anthropic"]);
  assert.equal(parseUpstreams("gemini"), undefined);
});

test("walkthroughConfig() builds a valid config and refuses a bad listen through validateConfig", () => {
  const answers = {
    proxy: true,
    otlp: true,
    sinkDir: "~/rec",
    upstreams: ["anthropic", "openai"] as const,
    proxyListen: "127.0.0.1:9000",
    otlpListen: "127.0.0.1:4318",
  };
  assert.deepEqual(walkthroughConfig({ ...answers, upstreams: [...answers.upstreams] }), {
    version: 1,
    sink: { type: "file", dir: "~/rec" },
    query: { cache: { enabled: true } },
    proxy: {
      listen: "127.0.0.1:9000",
      upstreams: [
        { name: "anthropic", base_url: "https://api.anthropic.com", match: { path_prefix: "/v1/messages" } },
        { name: "openai", base_url: "https://api.openai.com", match: { path_prefix: "/v1" } },
      ],
    },
    otel: { listen: "127.0.0.1:4318" },
  });
  // Gas City alone: the cities found, attached with the supervisor's address.
  const gascity = [{ name: "bright-lights", api_url: "http://127.0.0.1:8372" }];
  assert.deepEqual(walkthroughConfig({ ...answers, proxy: false, otlp: false, upstreams: [], gascity }), {
    version: 1,
    sink: { type: "file", dir: "~/rec" },
    query: { cache: { enabled: true } },
    gascity,
  });
  assert.throws(
    () => walkthroughConfig({ ...answers, upstreams: ["anthropic"], otlpListen: "nope" }),
    /\/otel\/listen/,
  );
});

test("an existing ~/.hyp/collectivus.json is summarized and kept when the user picks 1", async () => {
  const host = await fakeHost({ platform: "win32", replies: ["", "n"] });
  try {
    const file = path.join(host.home, ".hyp", "collectivus.json");
    await fs.mkdir(path.dirname(file), { recursive: true });
    const text = '{ "version": 1, "sink": { "type": "file", "dir": "/r" }, "proxy": { "listen": "127.0.0.1:8787", ' +
      '"upstreams": [{ "name": "a", "base_url": "http://a", "match": { "path_prefix": "/" } }] } } // mine\n';
    await fs.writeFile(file, text);
    const io = captureIo(true);
    assert.equal(await runWalkthrough(io, host), 0);
    assert.equal(await fs.readFile(file, "utf8"), text);
    // No daemon on win32, so the only questions are which config and whether to attach Claude Code.
    assert.deepEqual(host.calls, ["ask Choose [1]: ", "ask Configure Claude Code to use the proxy? [Y/n]: "]);
    assert.equal(io.stdout[2], `\nFound ${file}: proxy on 127.0.0.1:8787; recordings in /r`);
    assert.equal(io.stdout[3], "  1) Use existing config\n  2) Create a new one");
    await assert.rejects(fs.stat(path.join(host.home, ".claude")), { code: "ENOENT" });
  } finally {
    await host.remove();
  }
});

test("an existing config that does not load is shown with the reason", async () => {
  const host = await fakeHost({ platform: "win32" });
  try {
    const file = path.join(host.home, ".hyp", "collectivus.json");
    await fs.mkdir(path.dirname(file), { recursive: true });
    await fs.writeFile(file, '{ "version": 1, "sink": { "type": "file", "dri": "/r" } }');
    const io = captureIo(true);
    assert.equal(await runWalkthrough(io, host), 0);
    assert.match(io.stdout[2], /^\nFound .*collectivus\.json \(it does not load: .*\/sink\/dri: unknown key "dri"\)$/);
    // It is left as it was: the new config is not written over it without a yes.
    assert.equal(await fs.readFile(file, "utf8"), '{ "version": 1, "sink": { "type": "file", "dri": "/r" } }');
  } finally {
    await host.remove();
  }
});
