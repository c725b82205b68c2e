import assert from "node:assert/strict";
import { test } from "node:test";
import { TOP_LEVEL_KEYS, validateConfig } from "../../../platform/config/validate.ts";
import {
  CENTRAL,
  CITY,
  type Json,
  OTEL,
  PATTERN_MESSAGE,
  PROXY,
  type Rejection,
  SERVER,
  SINK,
  standalone,
  testRejections,
  withCentral,
  withProxy,
  withServer,
} from "./_fixtures.ts";

/** The top-level rules: shape, version (v0 rejection), role, gateway_id, role blocks, sink requirement, ignored_paths. */
const REJECTED: Rejection[] = [
  ["an array", [], "/: must be an object"],
  ["null", null, "/: must be an object"],
  ["a v0 file (no version)", {}, '/version: missing "version" field. This collectivus binary requires version: 1.'],
  [
    "a v0 file with upstreams as an object",
    { proxy: { listen: "127.0.0.1:8787", upstreams: { anthropic: "https://api.anthropic.com" } }, bogus: 1 },
    '/version: missing "version" field. This collectivus binary requires version: 1.',
  ],
  ["version 2", { version: 2 }, "/version: unsupported version 2. This collectivus binary requires version: 1."],
  [
    "version as a string",
    { version: "1" },
    '/version: unsupported version "1". This collectivus binary requires version: 1.',
  ],
  [
    "version null",
    { version: null },
    "/version: unsupported version null. This collectivus binary requires version: 1.",
  ],
  ["an unknown role", standalone({ role: "central" }), '/role: must be one of "server", "gateway", "standalone"'],
  ["a numeric role", standalone({ role: 1 }), '/role: must be one of "server", "gateway", "standalone"'],
  [
    "gateway_id in gateway mode",
    { ...withCentral({}), gateway_id: "gw" },
    '/gateway_id: gateway_id is only permitted when role is "standalone"; gateway mode derives it from the JWT',
  ],
  [
    "gateway_id in server mode",
    { ...withServer({}), gateway_id: "gw" },
    '/gateway_id: gateway_id is only permitted when role is "standalone"; server mode derives it from the JWT',
  ],
  ["an empty gateway_id", standalone({ gateway_id: "" }), "/gateway_id: must be a non-empty string"],
  ["a numeric gateway_id", standalone({ gateway_id: 7 }), "/gateway_id: must be a non-empty string"],
  [
    "a 129-character gateway_id",
    standalone({ gateway_id: "g".repeat(129) }),
    "/gateway_id: must be at most 128 characters",
  ],
  ["a gateway_id starting with a dot", standalone({ gateway_id: ".hidden" }), `/gateway_id: ${PATTERN_MESSAGE}`],
  ["a gateway_id with a slash", standalone({ gateway_id: "a/b" }), `/gateway_id: ${PATTERN_MESSAGE}`],
  ["otel without sink", standalone({ otel: OTEL }), "/sink: sink is required when otel or proxy is configured"],
  ["proxy without sink", standalone({ proxy: PROXY }), "/sink: sink is required when otel or proxy is configured"],
  [
    "proxy without sink in server mode",
    { ...withServer({}), proxy: PROXY },
    "/sink: sink is required when otel or proxy is configured",
  ],
  [
    "server in standalone mode",
    standalone({ server: SERVER }),
    '/server: server is only permitted when role is "server"',
  ],
  [
    "central_server in standalone mode",
    standalone({ central_server: CENTRAL }),
    '/central_server: central_server is only permitted when role is "gateway"',
  ],
  [
    "role server without server",
    standalone({ role: "server" }),
    '/server: server block is required when role is "server"',
  ],
  [
    "central_server in server mode",
    { ...withServer({}), central_server: CENTRAL },
    '/central_server: central_server is not permitted when role is "server"',
  ],
  [
    "role gateway without central_server",
    standalone({ role: "gateway" }),
    '/central_server: central_server block is required when role is "gateway"',
  ],
  [
    "server in gateway mode",
    { ...withCentral({}), server: SERVER },
    '/server: server is not permitted when role is "gateway"',
  ],
  ["ignored_paths as a string", standalone({ ignored_paths: "/tmp" }), "/ignored_paths: must be an array of strings"],
  [
    "an empty ignored path",
    standalone({ ignored_paths: ["/tmp", ""] }),
    "/ignored_paths/1: must be a non-empty string",
  ],
];

testRejections(REJECTED);

/** [name, config]: configs that must pass, one per role and shape. */
const ACCEPTED: [string, Json][] = [
  ["the minimal config", { version: 1 }],
  [
    "the README example",
    {
      version: 1,
      otel: { listen: "0.0.0.0:4318" },
      proxy: {
        listen: "127.0.0.1:8787",
        upstreams: [{
          name: "anthropic",
          base_url: "https://api.anthropic.com",
          match: { path_prefix: "/v1/messages" },
        }],
        redact_headers: ["authorization", "x-api-key", "anthropic-api-key", "cookie", "set-cookie"],
      },
      sink: { type: "file", dir: "./collectivus-data" },
      query: { cache: { enabled: true } },
    },
  ],
  [
    "a standalone config using every key",
    {
      version: 1,
      role: "standalone",
      gateway_id: "ada.lovelace+dev@example.com",
      otel: { listen: "[::1]:0", max_body_bytes: 1024 },
      proxy: { ...PROXY, redact_headers: ["x-secret"], redact_query_params: ["session"], max_record_body_bytes: 1 },
      sink: { ...SINK, fsync: "always" },
      upload: {
        bucket: "b",
        prefix: "p",
        region: "",
        time: "23:59",
        signals: ["logs", "traces", "metrics", "proxy"],
        catchupDays: 0,
        endpoint: "http://127.0.0.1:9000",
        iceberg: {},
      },
      query: { cache: { enabled: false, dir: "/tmp/cache" } },
      gascity: [{ ...CITY, include_templates: ["worker"], exclude_templates: [] }, { ...CITY, name: "b" }],
      ignored_paths: ["/home/ada/private"],
    },
  ],
  ["an empty gascity list", { version: 1, gascity: [] }],
  [
    "a server config using every key",
    withServer({
      public_url: "https://central.example",
      identity_issuer: {
        secret_env: "JWT_SECRET",
        jwt_ttl_seconds: 60,
        bootstrap_ttl_seconds: 60,
        bootstrap_store_path: "/var/lib/ctvs/bootstrap.json",
      },
      data_dir: "/var/lib/ctvs",
      sink_dir: "/var/lib/ctvs/ingested",
      ingest: { max_pending_rows: 10, high_water_pct: 100, retry_after_seconds: 1, max_bytes_per_second: 1 },
      admin: { token_env: "ADMIN_TOKEN" },
      enrollment: { gateway_prefix: "team" },
      rendezvous: { url_env: "RENDEZVOUS_URL", registration_token: "t" },
    }),
  ],
  [
    "a gateway with otel and proxy but no sink",
    {
      ...withCentral({ identity: { bootstrap_token: "bt", persisted_path: "/x" }, poll_interval_seconds: 5 }),
      otel: OTEL,
      proxy: PROXY,
    },
  ],
  ["a gateway with outbox_dir and the longest poll", withCentral({ outbox_dir: "/o", poll_interval_seconds: 3600 })],
];

for (const [name, config] of ACCEPTED) {
  test(`validateConfig() accepts ${name}`, () => {
    const result = validateConfig(config, { strict: true });
    assert.equal(result.config, config);
    assert.deepEqual(result.warnings, []);
  });
}

test("validateConfig() does not inject defaults", () => {
  const config = { version: 1, proxy: PROXY, sink: SINK };
  const before = JSON.stringify(config);
  validateConfig(config);
  assert.equal(JSON.stringify(config), before);
});

test("validateConfig() warns about each unknown top-level key, in order", () => {
  const recognized = TOP_LEVEL_KEYS.map((key) => JSON.stringify(key)).join(", ");
  assert.equal(
    recognized,
    '"version", "role", "gateway_id", "otel", "proxy", "sink", "upload", "query", "server", "central_server", ' +
      '"gascity", "ignored_paths"',
  );
  const { config, warnings } = validateConfig({ version: 1, zeta: 1, alpha: { x: 1 } });
  assert.deepEqual(warnings, [
    `warning: unknown config key "zeta" ignored (this collectivus binary recognizes: ${recognized})`,
    `warning: unknown config key "alpha" ignored (this collectivus binary recognizes: ${recognized})`,
  ]);
  assert.deepEqual(config, { version: 1, zeta: 1, alpha: { x: 1 } });
});

test("validateConfig() rejects unknown top-level keys with strict", () => {
  assert.throws(() => validateConfig({ version: 1, zeta: 1, alpha: 2 }, { strict: true }), {
    message: '/zeta: unknown key "zeta"',
  });
  assert.throws(() => validateConfig({ version: 1, "a/b": 1 }, { strict: true }), {
    message: '/a~1b: unknown key "a/b"',
  });
});

test("validateConfig() rejects unknown keys inside blocks even without strict", () => {
  assert.throws(() => validateConfig(withProxy({ upsteams: [] }), { strict: false }), {
    message: '/proxy/upsteams: unknown key "upsteams"',
  });
});

test("validateConfig() reports the first error: version, then top-level keys, then blocks in order", () => {
  assert.throws(() => validateConfig({ zeta: 1, role: "x" }, { strict: true }), { message: /^\/version: missing/ });
  assert.throws(() => validateConfig({ version: 1, role: "x", zeta: 1 }, { strict: true }), {
    message: '/zeta: unknown key "zeta"',
  });
  assert.throws(() => validateConfig({ version: 1, otel: {}, role: "x" }), { message: /^\/role: / });
  assert.throws(() => validateConfig({ version: 1, proxy: {}, otel: {} }), {
    message: "/otel/listen: listen is required",
  });
  assert.throws(() => validateConfig({ version: 1, gascity: 1, server: {}, upload: {} }), {
    message: "/upload/bucket: bucket is required",
  });
  assert.throws(() => validateConfig({ version: 1, role: "server", server: {}, central_server: {} }), {
    message: '/central_server: central_server is not permitted when role is "server"',
  });
});
