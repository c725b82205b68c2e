import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import type { Config } from "../../../platform/config/types.ts";
import { ConfigPoller } from "../../../server/gateway/config_poll.ts";
import { GATEWAY_CONFIG, testCentral } from "../central/_central.ts";
import { centralFetch } from "./_gateway.ts";

async function setup() {
  const central = await testCentral();
  await central.register("gw-1");
  const calls = centralFetch(central);
  let jwt = await central.jwt("gw-1");
  const refreshed: string[] = [];
  const logs: string[] = [];
  const configs: Config[] = [];
  const poller = new ConfigPoller({
    centralUrl: "http://central.test:8788",
    identity: {
      jwt: () => Promise.resolve(jwt),
      refresh: async () => {
        refreshed.push(jwt);
        jwt = await central.jwt("gw-1");
        return jwt;
      },
    },
    intervalSeconds: 30,
    stateDir: path.join(central.dir, "gw"),
    onConfig: (config) => (configs.push(config), Promise.resolve()),
    log: (l) => logs.push(l),
    fetch: calls.fetch,
  });
  return { central, calls, poller, logs, configs, refreshed, setJwt: (value: string) => jwt = value };
}

test("ConfigPoller applies a new config, keeps its ETag, and sends If-None-Match to get 304 after", async () => {
  const { central, calls, poller, configs } = await setup();
  try {
    assert.equal(await poller.poll(), "changed");
    assert.deepEqual(configs, [GATEWAY_CONFIG]);
    const etag = (await central.context.registry.get("gw-1"))!.etag;
    assert.deepEqual(JSON.parse(await readFile(poller.etagPath, "utf8")), { etag });
    assert.equal(await poller.savedEtag(), etag);
    assert.equal(calls.requests[0].headers.get("if-none-match"), null);

    assert.equal(await poller.poll(), "unchanged");
    assert.equal(calls.requests[1].headers.get("if-none-match"), `"${etag}"`);

    const changed = { ...GATEWAY_CONFIG, otel: { listen: "127.0.0.1:5318" } };
    await central.register("gw-1", changed);
    assert.equal(await poller.poll(), "changed");
    assert.deepEqual(configs.at(-1), changed);
  } finally {
    await central.close();
  }
});

test("ConfigPoller: an invalid config is refused with a warning; 404 is said once", async () => {
  const { central, calls, poller, configs, logs } = await setup();
  try {
    calls.intercept(() => Response.json({ version: 1, role: "gateway", otel: { listen: "x" } }));
    assert.equal(await poller.poll(), "invalid");
    assert.equal(configs.length, 0);
    assert.match(
      logs[0],
      /^warning: config poll: server returned invalid config: \/otel\/listen: must be host:port$/,
    );
    calls.intercept(undefined);

    await central.context.registry.delete("gw-1");
    assert.equal(await poller.poll(), "not_registered");
    assert.equal(await poller.poll(), "not_registered");
    assert.deepEqual(logs.slice(1), [
      "warning: config poll: http://central.test:8788/v1/config reports no config registered for this gateway",
    ]);
  } finally {
    await central.close();
  }
});

test("ConfigPoller refreshes the JWT once on a 401; a second 401 is a warning", async () => {
  const { central, poller, refreshed, logs, setJwt, calls } = await setup();
  try {
    setJwt(await central.jwt("gw-1", { iat: 1, exp: 2 }));
    assert.equal(await poller.poll(), "changed");
    assert.equal(refreshed.length, 1);
    calls.intercept(() => Response.json({ error: "unauthorized", reason: "bad_signature" }, { status: 401 }));
    assert.equal(await poller.poll(), "failed");
    assert.equal(refreshed.length, 2);
    assert.equal(logs.at(-1), "warning: config poll: 401 even after JWT refresh; check server secret");
  } finally {
    await central.close();
  }
});

test("ConfigPoller backs off 30, 60, 120, then 300 s after failures; 404 waits 300 s; success the interval", async () => {
  const { central, calls, poller, logs } = await setup();
  try {
    calls.intercept(() => {
      throw new TypeError("fetch failed", { cause: new Error("Connection refused") });
    });
    assert.equal(await poller.poll(), "failed");
    assert.match(logs[0], /^warning: config poll: failed to reach central server .*Connection refused$/);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => poller.nextDelay("failed")), [30, 60, 120, 300, 300]);
    assert.equal(poller.nextDelay("unchanged"), 30);
    assert.equal(poller.nextDelay("failed"), 30);
    assert.equal(poller.nextDelay("not_registered"), 300);
    poller.setInterval(5);
    assert.equal(poller.nextDelay("changed"), 5);
    calls.intercept(() => new Response("oops", { status: 502 }));
    assert.equal(await poller.poll(), "failed");
    assert.equal(logs.at(-1), "warning: config poll: http://central.test:8788/v1/config answered 502 oops");
  } finally {
    await central.close();
  }
});
