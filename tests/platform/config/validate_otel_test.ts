import { HOST_PORT_MESSAGE, OTEL, type Rejection, testRejections, withOtel } from "./_fixtures.ts";

/** Every rule of the `otel` block (the OTLP receiver): [name, config, exact message]. */
const REJECTED: Rejection[] = [
  ["otel as a string", withOtel("127.0.0.1:4318"), "/otel: must be an object"],
  ["otel without listen", withOtel({}), "/otel/listen: listen is required"],
  ["an empty otel.listen", withOtel({ listen: "" }), "/otel/listen: must be a non-empty string"],
  ["a numeric otel.listen", withOtel({ listen: 4318 }), "/otel/listen: must be a non-empty string"],
  ["a listen without a colon", withOtel({ listen: "4318" }), `/otel/listen: ${HOST_PORT_MESSAGE}`],
  ["a named port", withOtel({ listen: "localhost:http" }), "/otel/listen: invalid port in host:port"],
  ["port 65536", withOtel({ listen: "localhost:65536" }), "/otel/listen: invalid port in host:port"],
  ["an empty port", withOtel({ listen: "localhost:" }), "/otel/listen: invalid port in host:port"],
  ["a negative port", withOtel({ listen: "localhost:-1" }), "/otel/listen: invalid port in host:port"],
  ["a zero-padded port", withOtel({ listen: "localhost:04318" }), "/otel/listen: invalid port in host:port"],
  ["a listen without host", withOtel({ listen: ":4318" }), "/otel/listen: missing host in host:port"],
  ["an empty IPv6 host", withOtel({ listen: "[]:4318" }), "/otel/listen: missing host in host:port"],
  [
    "an unbracketed IPv6 host",
    withOtel({ listen: "::1:4318" }),
    "/otel/listen: must be host:port (write an IPv6 address as [::1]:8787)",
  ],
  ["a host with a space", withOtel({ listen: "local host:4318" }), `/otel/listen: ${HOST_PORT_MESSAGE}`],
  ["an unknown otel key", withOtel({ ...OTEL, port: 4318 }), '/otel/port: unknown key "port"'],
  [
    "otel.max_body_bytes 0",
    withOtel({ ...OTEL, max_body_bytes: 0 }),
    "/otel/max_body_bytes: must be a positive integer",
  ],
  [
    "a fractional otel.max_body_bytes",
    withOtel({ ...OTEL, max_body_bytes: 1.5 }),
    "/otel/max_body_bytes: must be a positive integer",
  ],
];

testRejections(REJECTED);
