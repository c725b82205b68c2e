import { type Rejection, testRejections, withCentral } from "./_fixtures.ts";

/** Every rule of the `central_server` block (the gateway's Central server): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  [
    "central_server as a string",
    { version: 1, role: "gateway", central_server: "https://c" },
    "/central_server: must be an object",
  ],
  ["an unknown central_server key", withCentral({ token: "t" }), '/central_server/token: unknown key "token"'],
  ["central_server without url", withCentral({ url: undefined }), "/central_server/url: url is required"],
  ["an empty central url", withCentral({ url: "" }), "/central_server/url: must be a non-empty string"],
  [
    "an unparseable central url",
    withCentral({ url: "central.example" }),
    "/central_server/url: must be a parseable URL",
  ],
  [
    "central_server without identity",
    withCentral({ identity: undefined }),
    "/central_server/identity: identity is required",
  ],
  ["identity as a string", withCentral({ identity: "bt_x" }), "/central_server/identity: must be an object"],
  [
    "an empty bootstrap_token",
    withCentral({ identity: { bootstrap_token: "" } }),
    "/central_server/identity/bootstrap_token: must be a non-empty string",
  ],
  [
    "an empty persisted_path",
    withCentral({ identity: { persisted_path: "" } }),
    "/central_server/identity/persisted_path: must be a non-empty string",
  ],
  [
    "an unknown identity key",
    withCentral({ identity: { jwt: "x" } }),
    '/central_server/identity/jwt: unknown key "jwt"',
  ],
  [
    "poll_interval_seconds 4",
    withCentral({ poll_interval_seconds: 4 }),
    "/central_server/poll_interval_seconds: must be an integer between 5 and 3600",
  ],
  [
    "poll_interval_seconds 3601",
    withCentral({ poll_interval_seconds: 3601 }),
    "/central_server/poll_interval_seconds: must be an integer between 5 and 3600",
  ],
  [
    "a fractional poll_interval_seconds",
    withCentral({ poll_interval_seconds: 30.5 }),
    "/central_server/poll_interval_seconds: must be an integer between 5 and 3600",
  ],
  ["an empty outbox_dir", withCentral({ outbox_dir: "" }), "/central_server/outbox_dir: must be a non-empty string"],
];

testRejections(REJECTED);
