import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { after, before, test } from "node:test";
import { ConfigError } from "../../../platform/config/config_error.ts";
import { defaultConfig } from "../../../platform/config/default_config.ts";
import { loadConfig } from "../../../platform/config/load.ts";
import { homeDir } from "../../../platform/paths.ts";
import { type FetchHandler, type HttpServer, serve } from "../../../platform/runtime.ts";

const VALID = '{\n  // recorded locally\n  "version": 1,\n  "query": { "cache": { "enabled": false } },\n}\n';
let dir = "";

before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "ctvs-load-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function assertRejects(promise: Promise<unknown>, expected: string | RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    if (typeof expected === "string") assert.equal(error.message, expected);
    else assert.match(error.message, expected);
    return true;
  });
}

async function withServer(handler: FetchHandler, fn: (base: string) => Promise<void>): Promise<void> {
  const server: HttpServer = await serve({ hostname: "127.0.0.1", port: 0, handler });
  try {
    await fn(`http://127.0.0.1:${server.port}`);
  } finally {
    server.close();
    await server.shutdown();
  }
}

test("loadConfig() reads a JSONC file", async () => {
  const file = path.join(dir, "ok.json");
  await writeFile(file, VALID);
  const loaded = await loadConfig({ kind: "file", path: file });
  assert.deepEqual(loaded, {
    config: { version: 1, query: { cache: { enabled: false } } },
    kind: "file",
    source: file,
    warnings: [],
  });
});

test("loadConfig() expands ~ in a file path", async () => {
  const name = `ctvs-absent-${crypto.randomUUID()}.json`;
  await assertRejects(
    loadConfig({ kind: "file", path: `~/${name}` }),
    `config file not found: ${path.join(homeDir(), name)}`,
  );
});

test("loadConfig() reports a missing file", async () => {
  const file = path.join(dir, "missing.json");
  await assertRejects(loadConfig({ kind: "file", path: file }), `config file not found: ${file}`);
  await assertRejects(
    loadConfig({ kind: "file", path: path.join(dir, "missing", "x.json") }),
    `config file not found: ${dir}/missing/x.json`,
  );
});

test("loadConfig() reports a file that cannot be read", async () => {
  await assertRejects(loadConfig({ kind: "file", path: dir }), new RegExp(`^failed to read ${dir}: EISDIR`));
});

test("loadConfig() reports invalid JSON with the file path, line and column", async () => {
  const file = path.join(dir, "bad.json");
  await writeFile(file, '{\n  "version": 1\n  "role": "standalone"\n}\n');
  await assertRejects(
    loadConfig({ kind: "file", path: file }),
    `invalid JSON in ${file} at line 3, column 3: expected ","`,
  );
});

test("loadConfig() reports validation errors and honours strict", async () => {
  const file = path.join(dir, "extra.json");
  await writeFile(file, '{"version": 1, "color": "blue"}');
  const loaded = await loadConfig({ kind: "file", path: file });
  assert.equal(loaded.warnings.length, 1);
  assert.match(
    loaded.warnings[0],
    /^warning: unknown config key "color" ignored \(this collectivus binary recognizes: /,
  );
  await assertRejects(loadConfig({ kind: "file", path: file }, { strict: true }), '/color: unknown key "color"');
  await writeFile(file, '{"proxy": {}}');
  await assertRejects(
    loadConfig({ kind: "file", path: file }),
    '/version: missing "version" field. This collectivus binary requires version: 1.',
  );
});

test("loadConfig() fetches a URL config once", async () => {
  let requests = 0;
  await withServer(() => {
    requests++;
    return new Response(VALID, { headers: { "content-type": "application/json" } });
  }, async (base) => {
    const url = `${base}/v1/bootstrap-config?token=bt`;
    const loaded = await loadConfig({ kind: "url", url });
    assert.deepEqual(loaded, {
      config: { version: 1, query: { cache: { enabled: false } } },
      kind: "url",
      // The one-shot token of a setup URL never reaches messages or logs.
      source: `${base}/v1/bootstrap-config?token=REDACTED`,
      warnings: [],
    });
    assert.equal(requests, 1);
  });
});

test("loadConfig() names Central's error in an HTTP failure, without the token", async () => {
  await withServer(
    () => Response.json({ error: "invalid bootstrap token", reason: "already_used" }, { status: 401 }),
    async (base) => {
      await assertRejects(
        loadConfig({ kind: "url", url: `${base}/v1/bootstrap-config?token=bt_secret` }),
        `failed to fetch ${base}/v1/bootstrap-config?token=REDACTED: HTTP 401 Unauthorized (invalid bootstrap token: already_used)`,
      );
    },
  );
});

test("loadConfig() reports an HTTP error status", async () => {
  await withServer((request) => {
    const status = new URL(request.url).pathname === "/missing" ? 404 : 500;
    return new Response("nope", { status });
  }, async (base) => {
    await assertRejects(
      loadConfig({ kind: "url", url: `${base}/missing` }),
      `failed to fetch ${base}/missing: HTTP 404 Not Found`,
    );
    await assertRejects(
      loadConfig({ kind: "url", url: `${base}/broken` }),
      `failed to fetch ${base}/broken: HTTP 500 Internal Server Error`,
    );
  });
});

test("loadConfig() reports invalid JSON from a URL with the URL", async () => {
  await withServer(() => new Response("<html>"), async (base) => {
    await assertRejects(
      loadConfig({ kind: "url", url: `${base}/c` }),
      `invalid JSON in ${base}/c at line 1, column 1: unexpected "<html>"`,
    );
  });
});

test("loadConfig() reports a refused connection", async () => {
  const server = await serve({ hostname: "127.0.0.1", port: 0, handler: () => new Response("") });
  const url = `http://127.0.0.1:${server.port}/c.json`;
  server.close();
  await server.shutdown();
  await assertRejects(
    loadConfig({ kind: "url", url }),
    new RegExp(`^failed to fetch ${url.replaceAll(".", "\\.")}: .*(Connection refused|ECONNREFUSED)`),
  );
});

test("loadConfig() gives up on a URL after the timeout", async () => {
  let release = () => {};
  const held = new Promise<void>((resolve) => release = resolve);
  await withServer(async () => {
    await held;
    return new Response("{}");
  }, async (base) => {
    try {
      await assertRejects(
        loadConfig({ kind: "url", url: `${base}/slow` }, { timeoutMs: 200 }),
        `failed to fetch ${base}/slow: timed out after 0.2 s`,
      );
    } finally {
      release();
    }
  });
});

test("loadConfig() uses the injected fetch", async () => {
  const urls: string[] = [];
  const fetchStub = (input: string | URL | Request) => {
    urls.push(String(input));
    return Promise.resolve(new Response('{"version": 1}'));
  };
  const loaded = await loadConfig({ kind: "url", url: "https://central.example/c" }, {
    fetch: fetchStub as typeof fetch,
  });
  assert.deepEqual(urls, ["https://central.example/c"]);
  assert.equal(loaded.kind, "url");
  await assertRejects(
    loadConfig({ kind: "url", url: "https://central.example/c" }, {
      fetch: (() => Promise.reject(new TypeError("network down"))) as typeof fetch,
    }),
    "failed to fetch https://central.example/c: network down",
  );
});

test("loadConfig() reads a config from an environment variable", async () => {
  const loaded = await loadConfig({ kind: "env", variable: "CTVS_CONFIG" }, { env: { CTVS_CONFIG: VALID } });
  assert.deepEqual(loaded, {
    config: { version: 1, query: { cache: { enabled: false } } },
    kind: "env",
    source: "env:CTVS_CONFIG",
    warnings: [],
  });
});

test("loadConfig() reports an unset or empty environment variable", async () => {
  const message = "environment variable CTVS_CONFIG is not set";
  await assertRejects(loadConfig({ kind: "env", variable: "CTVS_CONFIG" }, { env: {} }), message);
  await assertRejects(loadConfig({ kind: "env", variable: "CTVS_CONFIG" }, { env: { CTVS_CONFIG: "" } }), message);
});

test("loadConfig() names env:<VAR> in JSON errors", async () => {
  await assertRejects(
    loadConfig({ kind: "env", variable: "CTVS_CONFIG" }, { env: { CTVS_CONFIG: '{"version": 1,,}' } }),
    "invalid JSON in env:CTVS_CONFIG at line 1, column 15: expected a property name in double quotes",
  );
});

test("loadConfig() reads process.env by default", async () => {
  process.env.CTVS_LOAD_TEST_CONFIG = '{"version": 1}';
  try {
    const loaded = await loadConfig({ kind: "env", variable: "CTVS_LOAD_TEST_CONFIG" });
    assert.deepEqual(loaded.config, { version: 1 });
  } finally {
    delete process.env.CTVS_LOAD_TEST_CONFIG;
  }
});

test("loadConfig() returns the embedded default", async () => {
  assert.deepEqual(await loadConfig({ kind: "default" }), {
    config: defaultConfig(),
    kind: "default",
    source: "default",
    warnings: [],
  });
});
