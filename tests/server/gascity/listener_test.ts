/**
 * The gascity listener's lifecycle as the collector drives it: which configs create it, its start line, the status
 * snapshot, an in-place update of the city list, and the errors.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import type { Config } from "../../../platform/config/types.ts";
import { gascityListenerFactory } from "../../../server/gascity/listener.ts";
import { listenerFactories } from "../../../server/listeners.ts";
import { statusFile } from "../../../server/gascity/state_paths.ts";
import { readStatusSnapshot } from "../../../server/gascity/status_snapshot.ts";
import type { ListenerContext } from "../../../server/listener.ts";
import { JsonlSink } from "../../../storage/jsonl_sink.ts";
import { SupervisorDouble } from "../../fixtures/gascity_supervisor.ts";
import { tempDir } from "../../helpers/child.ts";
import { eventually } from "../../helpers/until.ts";
import { line, lineRows } from "./_harness.ts";

const factory = gascityListenerFactory(() => Promise.resolve(lineRows), { backoff: { initialMs: 20, maxMs: 100 } });

function context(config: Config, sink: JsonlSink | undefined, logs: string[] = []): ListenerContext {
  return { config, sink: sink!, gatewayId: "gw", log: (l) => logs.push(l) };
}

test("the gascity listener exists for a city list outside the gateway role, and says why not otherwise", () => {
  const city = { name: "alpha", api_url: "http://127.0.0.1:9" };
  assert.equal(factory.create(context({ version: 1 }, undefined)), undefined);
  assert.equal(factory.create(context({ version: 1, gascity: [] }, undefined)), undefined);
  const logs: string[] = [];
  const gateway = { version: 1, role: "gateway", gascity: [city] } as Config;
  assert.equal(factory.create(context(gateway, undefined, logs)), undefined);
  assert.deepEqual(logs, [
    "warning: gascity is not used in the gateway role (the Central server or a standalone host captures cities)",
  ]);
  assert.ok(factory.create(context({ version: 1, gascity: [city] }, undefined)));
  assert.ok(factory.create(context({ version: 1, role: "server", gascity: [city] } as Config, undefined)));
  assert.deepEqual(factory.keys, ["gascity", "sink", "gateway_id", "role"]);
  // Every role lists it: a gateway's, so a `gascity` block there is reported rather than ignored.
  const deps = {
    parquetWriterFor: () => () => Promise.reject(new Error("unused")),
    loadGascityRows: () => Promise.resolve(lineRows),
  };
  for (const role of ["standalone", "server", "gateway"] as const) {
    assert.ok(listenerFactories(deps, role).some((f) => f.name === "gascity"), role);
  }
});

test("the gascity listener needs a directory to record to: the sink's, or a server's sink_dir", async () => {
  const city = { name: "a", api_url: "http://127.0.0.1:9" };
  const listener = factory.create(context({ version: 1, gascity: [city] }, undefined))!;
  await assert.rejects(listener.start(), /^Error: gascity needs a directory to record to: set sink\.dir/);
  await listener.stop();
  const tmp = await tempDir("ctvs-gascity-server-");
  try {
    const server = { version: 1, role: "server", server: { sink_dir: tmp.dir }, gascity: [city] } as Config;
    const onServer = factory.create(context(server, undefined))!;
    assert.match(await onServer.start(), new RegExp(`recording to ${tmp.dir}/gw/gascity_messages/`));
    await onServer.stop();
  } finally {
    await tmp.remove();
  }
});

test("the gascity listener starts its cities, keeps a status snapshot, and applies a new city list in place", async () => {
  const tmp = await tempDir("ctvs-gascity-listener-");
  const alpha = await SupervisorDouble.start({ cities: ["alpha"] });
  const beta = await SupervisorDouble.start({ cities: ["beta"] });
  const sink = new JsonlSink({ dir: tmp.dir, gatewayId: "gw" });
  try {
    alpha.addSession("alpha", { id: "s-1", template: "mayor", state: "active", provider: "claude" }, [line("u1")]);
    beta.addSession("beta", { id: "s-2", template: "deacon", state: "active", provider: "claude" }, [line("u2")]);
    const sinkConfig = { type: "file" as const, dir: tmp.dir };
    const first: Config = { version: 1, sink: sinkConfig, gascity: [{ name: "alpha", api_url: alpha.url }] };
    const listener = factory.create(context(first, sink))!;
    assert.equal(
      await listener.start(),
      `Gas City capture of alpha (${alpha.url}), recording to ${path.join(tmp.dir, "gw", "gascity_messages")}` +
        "/<UTC-date>.jsonl",
    );
    await eventually(async () => {
      const snapshot = await readStatusSnapshot(statusFile(tmp.dir));
      assert.deepEqual(snapshot?.cities.map((c) => [c.name, c.state, c.sessions.length]), [["alpha", "connected", 1]]);
      assert.equal(snapshot?.running, true);
    });

    // beta added, alpha kept (its connection untouched).
    const both: Config = { ...first, gascity: [...first.gascity!, { name: "beta", api_url: beta.url }] };
    assert.equal(await listener.update!(both), "local reload: gascity diff applied (2 cities: 1 started, 0 stopped)");
    await eventually(() => assert.equal(beta.openStreams.sessions, 1));
    assert.equal(alpha.requests.filter((r) => r.includes("/events/stream")).length, 1);
    // alpha's filters changed: it restarts; beta stays.
    const filtered: Config = {
      ...both,
      gascity: [{ name: "alpha", api_url: alpha.url, exclude_templates: ["mayor"] }, both.gascity![1]],
    };
    assert.equal(
      await listener.update!(filtered),
      "local reload: gascity diff applied (2 cities: 1 started, 1 stopped)",
    );
    await eventually(() => assert.equal(alpha.openStreams.sessions, 0));
    // A new sink, or no city left: the collector restarts (or stops) the listener instead.
    assert.equal(await listener.update!({ ...filtered, sink: { type: "file", dir: `${tmp.dir}/other` } }), undefined);
    assert.equal(await listener.update!({ ...filtered, gascity: [] }), undefined);

    await listener.stop();
    const stopped = await readStatusSnapshot(statusFile(tmp.dir));
    assert.equal(stopped?.running, false);
    assert.deepEqual(stopped?.cities.map((c) => [c.name, c.state]).sort(), [["alpha", "stopped"], ["beta", "stopped"]]);
    assert.deepEqual([alpha.openStreams, beta.openStreams], [{ events: 0, sessions: 0 }, { events: 0, sessions: 0 }]);
  } finally {
    await sink.close();
    await alpha.close();
    await beta.close();
    await tmp.remove();
  }
});
