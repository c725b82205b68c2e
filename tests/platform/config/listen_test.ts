import assert from "node:assert/strict";
import { test } from "node:test";
import { ConfigError } from "../../../platform/config/config_error.ts";
import { parseListen } from "../../../platform/config/listen.ts";

const VALID: [string, string, number][] = [
  ["127.0.0.1:8787", "127.0.0.1", 8787],
  ["0.0.0.0:4318", "0.0.0.0", 4318],
  ["localhost:0", "localhost", 0],
  ["example.com:65535", "example.com", 65535],
  ["[::1]:8787", "::1", 8787],
  ["[::]:4318", "::", 4318],
  ["[fe80::1%eth0]:80", "fe80::1%eth0", 80],
];

for (const [listen, hostname, port] of VALID) {
  test(`parseListen() splits ${listen}`, () => {
    assert.deepEqual(parseListen(listen), { hostname, port });
  });
}

const INVALID: [string, string][] = [
  ["8787", "must be host:port"],
  ["", "must be host:port"],
  ["localhost:", "invalid port in host:port"],
  ["localhost:65536", "invalid port in host:port"],
  ["localhost:80a", "invalid port in host:port"],
  ["localhost:+80", "invalid port in host:port"],
  ["localhost:0x50", "invalid port in host:port"],
  ["localhost:080", "invalid port in host:port"],
  [":8787", "missing host in host:port"],
  ["[]:8787", "missing host in host:port"],
  ["::1:8787", "must be host:port (write an IPv6 address as [::1]:8787)"],
  ["[::1:8787", "must be host:port"],
  ["http://localhost:8787", "must be host:port"],
];

for (const [listen, problem] of INVALID) {
  test(`parseListen() rejects ${JSON.stringify(listen)}`, () => {
    assert.throws(() => parseListen(listen), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.message, `invalid listen address ${JSON.stringify(listen)}: ${problem}`);
      return true;
    });
  });
}
