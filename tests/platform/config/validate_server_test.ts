import { type Rejection, SECRET, testRejections, withIssuer, withRendezvous, withServer } from "./_fixtures.ts";

/** Every rule of the `server` block (the Central server): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["server as a string", { version: 1, role: "server", server: "x" }, "/server: must be an object"],
  ["an unknown server key", withServer({ port: 1 }), '/server/port: unknown key "port"'],
  [
    "server without control_plane_listen",
    withServer({ control_plane_listen: undefined }),
    "/server/control_plane_listen: control_plane_listen is required",
  ],
  [
    "a control plane without port",
    withServer({ control_plane_listen: "8788" }),
    "/server/control_plane_listen: must be host:port",
  ],
  [
    "a control plane port of 99999",
    withServer({ control_plane_listen: "0.0.0.0:99999" }),
    "/server/control_plane_listen: invalid port in host:port",
  ],
  [
    "a control plane without host",
    withServer({ control_plane_listen: ":8788" }),
    "/server/control_plane_listen: missing host in host:port",
  ],
  ["an ftp public_url", withServer({ public_url: "ftp://central" }), "/server/public_url: must be an http(s) URL"],
  [
    "an unparseable public_url",
    withServer({ public_url: "central:8788" }),
    "/server/public_url: must be an http(s) URL",
  ],
  [
    "server without identity_issuer",
    withServer({ identity_issuer: undefined }),
    "/server/identity_issuer: identity_issuer is required",
  ],
  [
    "identity_issuer as a string",
    withServer({ identity_issuer: SECRET }),
    "/server/identity_issuer: must be an object",
  ],
  ["no issuer secret", withIssuer({}), "/server/identity_issuer: must set exactly one of secret or secret_env"],
  [
    "both issuer secrets",
    withIssuer({ secret: SECRET, secret_env: "JWT_SECRET" }),
    "/server/identity_issuer: must set exactly one of secret or secret_env",
  ],
  [
    "a 31-character secret",
    withIssuer({ secret: "s".repeat(31) }),
    "/server/identity_issuer/secret: must be at least 32 characters",
  ],
  ["a numeric secret", withIssuer({ secret: 42 }), "/server/identity_issuer/secret: must be a non-empty string"],
  [
    "an empty secret_env",
    withIssuer({ secret_env: "" }),
    "/server/identity_issuer/secret_env: must be a non-empty string",
  ],
  [
    "jwt_ttl_seconds 0",
    withIssuer({ secret: SECRET, jwt_ttl_seconds: 0 }),
    "/server/identity_issuer/jwt_ttl_seconds: must be a positive integer",
  ],
  [
    "a fractional bootstrap_ttl_seconds",
    withIssuer({ secret: SECRET, bootstrap_ttl_seconds: 1.5 }),
    "/server/identity_issuer/bootstrap_ttl_seconds: must be a positive integer",
  ],
  [
    "an empty bootstrap_store_path",
    withIssuer({ secret: SECRET, bootstrap_store_path: "" }),
    "/server/identity_issuer/bootstrap_store_path: must be a non-empty string",
  ],
  [
    "an unknown issuer key",
    withIssuer({ secret: SECRET, alg: "HS512" }),
    '/server/identity_issuer/alg: unknown key "alg"',
  ],
  ["an empty data_dir", withServer({ data_dir: "" }), "/server/data_dir: must be a non-empty string"],
  ["a numeric sink_dir", withServer({ sink_dir: 1 }), "/server/sink_dir: must be a non-empty string"],
  ["ingest as a number", withServer({ ingest: 5 }), "/server/ingest: must be an object"],
  [
    "max_pending_rows 0",
    withServer({ ingest: { max_pending_rows: 0 } }),
    "/server/ingest/max_pending_rows: must be a positive integer",
  ],
  [
    "high_water_pct 0",
    withServer({ ingest: { high_water_pct: 0 } }),
    "/server/ingest/high_water_pct: must be an integer between 1 and 100",
  ],
  [
    "high_water_pct 101",
    withServer({ ingest: { high_water_pct: 101 } }),
    "/server/ingest/high_water_pct: must be an integer between 1 and 100",
  ],
  [
    "a fractional high_water_pct",
    withServer({ ingest: { high_water_pct: 50.5 } }),
    "/server/ingest/high_water_pct: must be an integer between 1 and 100",
  ],
  [
    "a string retry_after_seconds",
    withServer({ ingest: { retry_after_seconds: "5" } }),
    "/server/ingest/retry_after_seconds: must be a positive integer",
  ],
  [
    "a negative max_bytes_per_second",
    withServer({ ingest: { max_bytes_per_second: -1 } }),
    "/server/ingest/max_bytes_per_second: must be a positive integer",
  ],
  ["an unknown ingest key", withServer({ ingest: { burst: 1 } }), '/server/ingest/burst: unknown key "burst"'],
  [
    "admin with neither token",
    withServer({ public_url: "https://c", admin: {} }),
    "/server/admin: must set exactly one of token or token_env",
  ],
  [
    "admin with both tokens",
    withServer({ public_url: "https://c", admin: { token: SECRET, token_env: "ADMIN" } }),
    "/server/admin: must set exactly one of token or token_env",
  ],
  [
    "a short admin token",
    withServer({ public_url: "https://c", admin: { token: "short" } }),
    "/server/admin/token: must be at least 32 characters",
  ],
  [
    "an empty admin token_env",
    withServer({ public_url: "https://c", admin: { token_env: "" } }),
    "/server/admin/token_env: must be a non-empty string",
  ],
  [
    "an unknown admin key",
    withServer({ public_url: "https://c", admin: { token: SECRET, user: "root" } }),
    '/server/admin/user: unknown key "user"',
  ],
  [
    "admin without public_url",
    withServer({ admin: { token_env: "ADMIN" } }),
    "/server/public_url: public_url is required when server.admin is configured",
  ],
  [
    "an invalid gateway_prefix",
    withServer({ enrollment: { gateway_prefix: "-team" } }),
    "/server/enrollment/gateway_prefix: must match /^[A-Za-z0-9][A-Za-z0-9._+@-]*$/ and be 1..128 characters",
  ],
  [
    "an empty gateway_prefix",
    withServer({ enrollment: { gateway_prefix: "" } }),
    "/server/enrollment/gateway_prefix: must match /^[A-Za-z0-9][A-Za-z0-9._+@-]*$/ and be 1..128 characters",
  ],
  [
    "an unknown enrollment key",
    withServer({ enrollment: { max_uses: 2 } }),
    '/server/enrollment/max_uses: unknown key "max_uses"',
  ],
  [
    "rendezvous without url",
    withRendezvous({ registration_token: "t" }),
    "/server/rendezvous: must set exactly one of url or url_env",
  ],
  [
    "rendezvous with url and url_env",
    withRendezvous({ url: "https://r", url_env: "R", registration_token: "t" }),
    "/server/rendezvous: must set exactly one of url or url_env",
  ],
  [
    "an ftp rendezvous url",
    withRendezvous({ url: "ftp://r", registration_token: "t" }),
    "/server/rendezvous/url: must be an http(s) URL",
  ],
  [
    "an empty rendezvous url_env",
    withRendezvous({ url_env: "", registration_token: "t" }),
    "/server/rendezvous/url_env: must be a non-empty string",
  ],
  [
    "rendezvous without registration token",
    withRendezvous({ url: "https://r" }),
    "/server/rendezvous: must set exactly one of registration_token or registration_token_env",
  ],
  [
    "rendezvous with both registration tokens",
    withRendezvous({ url: "https://r", registration_token: "t", registration_token_env: "T" }),
    "/server/rendezvous: must set exactly one of registration_token or registration_token_env",
  ],
  [
    "an empty registration_token",
    withRendezvous({ url: "https://r", registration_token: "" }),
    "/server/rendezvous/registration_token: must be a non-empty string",
  ],
  [
    "an empty registration_token_env",
    withRendezvous({ url: "https://r", registration_token_env: "" }),
    "/server/rendezvous/registration_token_env: must be a non-empty string",
  ],
  ["an unknown rendezvous key", withRendezvous({ port: 8789 }), '/server/rendezvous/port: unknown key "port"'],
];

testRejections(REJECTED);
