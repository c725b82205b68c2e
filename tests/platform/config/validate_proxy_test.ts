import { type Rejection, SINK, standalone, testRejections, UPSTREAM, withProxy, withUpstream } from "./_fixtures.ts";

/** Every rule of the `proxy` block (the LLM proxy): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["proxy as an array", standalone({ proxy: [], sink: SINK }), "/proxy: must be an object"],
  ["a typo in a proxy key", withProxy({ upsteams: [] }), '/proxy/upsteams: unknown key "upsteams"'],
  [
    "proxy without listen",
    standalone({ proxy: { upstreams: [UPSTREAM] }, sink: SINK }),
    "/proxy/listen: listen is required",
  ],
  [
    "proxy without upstreams",
    standalone({ proxy: { listen: "127.0.0.1:8787" }, sink: SINK }),
    "/proxy/upstreams: upstreams is required",
  ],
  ["upstreams as an object (v0)", withProxy({ upstreams: { a: "https://a" } }), "/proxy/upstreams: must be an array"],
  ["no upstreams", withProxy({ upstreams: [] }), "/proxy/upstreams: at least one upstream is required"],
  ["an upstream that is a string", withUpstream("https://a"), "/proxy/upstreams/0: must be an object"],
  [
    "an upstream without name",
    withUpstream({ ...UPSTREAM, name: undefined }),
    "/proxy/upstreams/0/name: name is required",
  ],
  [
    "an upstream with an empty name",
    withUpstream({ ...UPSTREAM, name: "" }),
    "/proxy/upstreams/0/name: must be a non-empty string",
  ],
  [
    "an upstream without base_url",
    withUpstream({ name: "a", match: { path_prefix: "/" } }),
    "/proxy/upstreams/0/base_url: base_url is required",
  ],
  [
    "an upstream with a numeric base_url",
    withUpstream({ ...UPSTREAM, base_url: 443 }),
    "/proxy/upstreams/0/base_url: must be a non-empty string",
  ],
  [
    "an upstream without match",
    withUpstream({ name: "a", base_url: "https://a" }),
    "/proxy/upstreams/0/match: match is required",
  ],
  [
    "a match that is a string",
    withUpstream({ ...UPSTREAM, match: "/v1" }),
    "/proxy/upstreams/0/match: must be an object",
  ],
  [
    "a match without path_prefix",
    withUpstream({ ...UPSTREAM, match: {} }),
    "/proxy/upstreams/0/match/path_prefix: path_prefix is required",
  ],
  [
    "an empty path_prefix",
    withUpstream({ ...UPSTREAM, match: { path_prefix: "" } }),
    "/proxy/upstreams/0/match/path_prefix: must be a non-empty string",
  ],
  [
    "an unknown match key",
    withUpstream({ ...UPSTREAM, match: { path_prefix: "/v1", host: "a" } }),
    '/proxy/upstreams/0/match/host: unknown key "host"',
  ],
  [
    "an unknown upstream key",
    withUpstream({ ...UPSTREAM, timeout: 5 }),
    '/proxy/upstreams/0/timeout: unknown key "timeout"',
  ],
  [
    "duplicate upstream names",
    withProxy({ upstreams: [UPSTREAM, { ...UPSTREAM, base_url: "https://b" }] }),
    '/proxy/upstreams/1/name: duplicate upstream name "a"',
  ],
  [
    "redact_headers as a string",
    withProxy({ redact_headers: "cookie" }),
    "/proxy/redact_headers: must be an array of strings",
  ],
  [
    "an empty redacted header",
    withProxy({ redact_headers: ["x-key", ""] }),
    "/proxy/redact_headers/1: must be a non-empty string",
  ],
  [
    "redact_query_params as a string",
    withProxy({ redact_query_params: "session" }),
    "/proxy/redact_query_params: must be an array of strings",
  ],
  [
    "an empty redacted query parameter",
    withProxy({ redact_query_params: [""] }),
    "/proxy/redact_query_params/0: must be a non-empty string",
  ],
  [
    "a negative proxy.max_record_body_bytes",
    withProxy({ max_record_body_bytes: -1 }),
    "/proxy/max_record_body_bytes: must be a positive integer",
  ],
];

testRejections(REJECTED);
